namespace FabricInvoke.Core.Identity;

/// <summary>
/// The most a file of one kind may hold before <see cref="BoundedFile"/> refuses it, and the words for that kind.
/// Every file fabinvoke reads is PEM text, so the limits are sized from real PEM files with a wide margin, and only
/// exist so that a device, a runaway file or a wrong path costs milliseconds instead of all memory.
/// </summary>
/// <param name="MaxBytes">The largest accepted size in bytes.</param>
/// <param name="Kind">What such a file is, as in "a PEM certificate file may hold at most 1 MiB".</param>
internal sealed record FileLimit(int MaxBytes, string Kind)
{
    /// <summary>
    /// Certificates and certificate bundles (signcerts, cacerts, TLS roots, TLS client certificates): 1 MiB. One
    /// certificate is about 1 KB; the largest bundles in use, a distribution's whole CA store, are about 220 KB.
    /// </summary>
    public static FileLimit Certificates { get; } = new(1 << 20, "a PEM certificate file");

    /// <summary>
    /// Private keys (MSP keystore, TLS client key): 64 KiB. An EC key is under 400 bytes of PEM; even an RSA-16384
    /// key (refused later, but it deserves a message that says RSA) is about 13 KB.
    /// </summary>
    public static FileLimit PrivateKey { get; } = new(64 << 10, "a PEM private key file");

    /// <summary>Small state files fabinvoke writes itself (an event checkpoint): 4 KiB.</summary>
    public static FileLimit Checkpoint { get; } = new(4 << 10, "a checkpoint file");

    /// <summary>A connection profile (YAML or JSON, inline PEMs of every node included): 4 MiB.</summary>
    public static FileLimit ConnectionProfile { get; } = new(4 << 20, "a connection profile");

    /// <summary>The limit as a person writes it: "1 MiB", "64 KiB", "100 bytes".</summary>
    public string Describe() => MaxBytes switch
    {
        >= 1 << 20 when MaxBytes % (1 << 20) == 0 => $"{MaxBytes >> 20} MiB",
        >= 1 << 10 when MaxBytes % (1 << 10) == 0 => $"{MaxBytes >> 10} KiB",
        _ => $"{MaxBytes} bytes",
    };
}
