namespace FabricInvoke.Core.Diagnostics.Doctor;

/// <summary>
/// The settings a doctor fix names, in Fabric terms and exactly as these phrases: a front end replaces each phrase
/// with its own words (a flag, a variable). Core never names a flag.
/// </summary>
internal static class DoctorWords
{
    /// <summary>Where the MSP folder is set (the peer CLI: CORE_PEER_MSPCONFIGPATH).</summary>
    public const string MspFolder = "the MSP folder setting";

    /// <summary>The TLS root a peer's certificate must chain to (the peer CLI: one per peer address).</summary>
    public const string PeerTlsRoot = "the peer's TLS root certificate setting";

    /// <summary>The TLS root an orderer's certificate must chain to.</summary>
    public const string OrdererTlsRoot = "the orderer's TLS root certificate setting";

    /// <summary>The host name checked in every peer certificate instead of the address's.</summary>
    public const string PeerHostOverride = "the peer TLS host name override";

    /// <summary>The host name checked in the orderer certificate instead of the address's.</summary>
    public const string OrdererHostOverride = "the orderer TLS host name override";

    /// <summary>The TLS client certificate and key presented to peers (mutual TLS).</summary>
    public const string PeerClientCertificate = "the peer TLS client certificate settings";

    /// <summary>The TLS client certificate and key presented to orderers (mutual TLS).</summary>
    public const string OrdererClientCertificate = "the orderer TLS client certificate settings";

    /// <summary>The peer addresses given.</summary>
    public const string PeerAddress = "the peer address setting";

    /// <summary>The orderer addresses given.</summary>
    public const string OrdererAddress = "the orderer address setting";

    /// <summary>The bound on each connection (TCP and TLS).</summary>
    public const string ConnectTimeout = "the connect timeout setting";

    /// <summary>The phrase naming the TLS root setting of a node of <paramref name="role"/>.</summary>
    public static string TlsRoot(string role) => role == "orderer" ? OrdererTlsRoot : PeerTlsRoot;

    /// <summary>The phrase naming the host name override of a node of <paramref name="role"/>.</summary>
    public static string HostOverride(string role) => role == "orderer" ? OrdererHostOverride : PeerHostOverride;

    /// <summary>The phrase naming the client certificate settings of a node of <paramref name="role"/>.</summary>
    public static string ClientCertificate(string role) => role == "orderer" ? OrdererClientCertificate : PeerClientCertificate;

    /// <summary>The phrase naming the address setting of a node of <paramref name="role"/>.</summary>
    public static string Address(string role) => role == "orderer" ? OrdererAddress : PeerAddress;

    /// <summary>Every phrase, longest first (so a front end replacing them never splits one).</summary>
    public static IReadOnlyList<string> All { get; } =
        new[] { MspFolder, PeerTlsRoot, OrdererTlsRoot, PeerHostOverride, OrdererHostOverride, PeerClientCertificate, OrdererClientCertificate, PeerAddress, OrdererAddress, ConnectTimeout }
            .OrderByDescending(p => p.Length).ToList();
}
