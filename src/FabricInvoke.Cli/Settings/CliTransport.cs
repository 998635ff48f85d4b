using FabricInvoke.Core.Configuration;

namespace FabricInvoke.Cli.Settings;

/// <summary>
/// The transport settings of the CLI's connections: the library's plain ones plus the CLI's start-up shortcuts, which
/// only a process that owns itself and lives a fraction of a second should take.
/// </summary>
internal static class CliTransport
{
    /// <summary>
    /// Settings with <see cref="TransportSettings.StartupShortcuts"/> on; and, before any connection exists, OpenSSL's
    /// system trust store is kept out of chain building (<see cref="SystemTrustStore"/>: the CLI trusts only the roots
    /// it is given, and reading the store was most of an invoke's client time).
    /// </summary>
    public static TransportSettings Settings(TimeSpan connectTimeout, ClientCertificateFiles? clientCertificate)
    {
        SystemTrustStore.KeepOutOfChainBuilding();
        return new TransportSettings(connectTimeout, clientCertificate) { StartupShortcuts = true };
    }
}
