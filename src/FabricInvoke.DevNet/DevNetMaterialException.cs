namespace FabricInvoke.DevNet;

/// <summary>
/// A file of the DevNet folder's crypto material (<c>organizations/</c>) is missing, unreadable or inconsistent
/// (a certificate not issued by its org's CA on disk, a key that does not match its certificate), so the network
/// refuses to start on it rather than repair or silently use it.
/// </summary>
public sealed class DevNetMaterialException : IOException
{
    public DevNetMaterialException(string file, string problem, Exception? innerException = null)
        : base($"{problem}: {file}", innerException)
    {
        File = file;
        Problem = problem;
    }

    public DevNetMaterialException()
        : this("organizations", "unusable")
    {
    }

    public DevNetMaterialException(string message)
        : base(message)
    {
        File = "organizations";
        Problem = message;
    }

    public DevNetMaterialException(string message, Exception innerException)
        : base(message, innerException)
    {
        File = "organizations";
        Problem = message;
    }

    /// <summary>The offending file (or folder).</summary>
    public string File { get; }

    /// <summary>What is wrong with it.</summary>
    public string Problem { get; }
}
