using System.Runtime.InteropServices;
using System.Text;

namespace FabricInvoke.Cli.Settings;

/// <summary>
/// Fabric TLS trusts only the roots the user names (--tlsRootCertFiles, --cafile); the operating system's trust store
/// never decides anything. On Linux, however, .NET's certificate chain engine loads the whole system store
/// (<c>/etc/ssl/certs</c>: a bundle and every single certificate file; cost in docs/performance.md) the first time it builds any chain —
/// custom-root chains included, and SslStream builds one in every handshake. That was most of an invoke's client time.
/// Before the first connection this process therefore points OpenSSL's default store locations (the variables
/// <c>SSL_CERT_FILE</c> and <c>SSL_CERT_DIR</c>, read by .NET through OpenSSL) at <c>/dev/null</c>, which holds no
/// certificates. Verification is unchanged: chains are built to the user's roots with the same engine; only a store we
/// never trust is no longer read. Windows and macOS build custom-root chains without reading the system store.
/// It changes the whole process (its environment), so it is the CLI's choice, made in <see cref="CliTransport"/>, never
/// the library's: a service hosting the library keeps its system trust store for its other HTTPS calls.
/// </summary>
internal static unsafe class SystemTrustStore
{
    private const string Empty = "/dev/null";
    private static int _done;

    /// <summary>Idempotent; does nothing where the system store is not OpenSSL's.</summary>
    public static void KeepOutOfChainBuilding()
    {
        if (!(OperatingSystem.IsLinux() || OperatingSystem.IsFreeBSD()) || Interlocked.Exchange(ref _done, 1) == 1)
        {
            return;
        }

        // setenv of the C library the process already runs on (glibc or musl), found without naming it.
        if (!NativeLibrary.TryGetExport(NativeLibrary.GetMainProgramHandle(), "setenv", out var setenv))
        {
            return;
        }

        var function = (delegate* unmanaged<byte*, byte*, int, int>)setenv;
        Set(function, "SSL_CERT_FILE", Empty);
        Set(function, "SSL_CERT_DIR", Empty);
    }

    private static void Set(delegate* unmanaged<byte*, byte*, int, int> setenv, string name, string value)
    {
        var nameBytes = Encoding.ASCII.GetBytes(name + '\0');
        var valueBytes = Encoding.ASCII.GetBytes(value + '\0');
        fixed (byte* n = nameBytes)
        fixed (byte* v = valueBytes)
        {
            _ = setenv(n, v, 1);
        }
    }
}
