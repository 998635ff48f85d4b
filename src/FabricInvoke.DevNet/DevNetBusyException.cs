namespace FabricInvoke.DevNet;

/// <summary>
/// The DevNet folder is owned by another process (its <c>devnet.lock</c> is held), and this one may not or did not
/// wait long enough to take it. Nothing in the folder was touched.
/// </summary>
public sealed class DevNetBusyException : IOException
{
    public DevNetBusyException(string lockFile, DevNetOwner? owner, TimeSpan waited)
        : base(owner is null
            ? $"the DevNet folder is in use by another process (its owner record is missing): {lockFile}"
            : $"the DevNet folder is in use by process {owner.ProcessId} ({owner.Description}): {lockFile}")
    {
        LockFile = lockFile;
        Owner = owner;
        Waited = waited;
    }

    public DevNetBusyException()
        : this("devnet.lock", null, TimeSpan.Zero)
    {
    }

    public DevNetBusyException(string message)
        : base(message)
    {
        LockFile = "devnet.lock";
    }

    public DevNetBusyException(string message, Exception innerException)
        : base(message, innerException)
    {
        LockFile = "devnet.lock";
    }

    /// <summary>The folder's lock file.</summary>
    public string LockFile { get; }

    /// <summary>Who holds it, when its owner record could be read.</summary>
    public DevNetOwner? Owner { get; }

    /// <summary>How long this process waited before giving up (zero: it did not wait).</summary>
    public TimeSpan Waited { get; }
}
