using System.Runtime.InteropServices;
using FabricInvoke.Core;

namespace FabricInvoke.Client.Tests;

/// <summary>
/// The library changes nothing process-wide: a TLS client leaves OpenSSL's trust-store variables alone (the CLI sets
/// them for its own start-up speed; a service hosting the library keeps its system store for its other HTTPS calls).
/// </summary>
public sealed class ProcessEffectsTests : IClassFixture<DevNetFixture>
{
    private readonly DevNetFixture _net;

    public ProcessEffectsTests(DevNetFixture net)
    {
        _net = net;
    }

    [Fact]
    public async Task A_TLS_client_does_not_set_SSL_CERT_FILE_or_SSL_CERT_DIR()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // the variables in question are read by OpenSSL, through the C library's environment
        }

        var before = (Native.Get("SSL_CERT_FILE"), Native.Get("SSL_CERT_DIR"));
        using var user = _net.User();
        await using (var client = FabricClient.Create(_net.Options(user)))
        {
            var contract = client.GetNetwork(_net.Network.ChannelId).GetContract("basic");
            await contract.SubmitAsync("Put", ["process-effects", "none"]).WaitAsync(TimeSpan.FromMinutes(2));
        }

        // The C library's environment (what setenv changes; .NET's Environment keeps its own copy).
        Assert.Equal(before, (Native.Get("SSL_CERT_FILE"), Native.Get("SSL_CERT_DIR")));
    }

    private static class Native
    {
        public static string? Get(string name) => Marshal.PtrToStringUTF8(GetEnv(name));

        [DllImport("libc.so.6", EntryPoint = "getenv")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        private static extern IntPtr GetEnv([MarshalAs(UnmanagedType.LPUTF8Str)] string name);
    }
}
