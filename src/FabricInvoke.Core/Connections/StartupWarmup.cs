using System.Security.Cryptography;
using Grpc.Net.Client;

namespace FabricInvoke.Core.Connections;

/// <summary>
/// One-time set-up every network command needs and that depends on none of its settings, started on another core
/// while the command line is still being parsed: loading OpenSSL (the dynamic loader relocating and binding libssl and
/// libcrypto was ~15% of the native binary's main thread before the proposal) and gRPC's static set-up (its user
/// agent, read by reflection, another ~4%). The command does the same work again where it needs it, so a failure here
/// changes nothing: it is reported there, in the command's own words.
/// </summary>
public static class StartupWarmup
{
    /// <summary>Queues the warm-up on the thread pool and returns at once.</summary>
    public static void Begin() => ThreadPool.UnsafeQueueUserWorkItem(static _ => Run(), null);

    private static void Run()
    {
        try
        {
            _ = SHA256.HashData(ReadOnlySpan<byte>.Empty);
            using var channel = GrpcChannel.ForAddress("http://127.0.0.1");
        }
#pragma warning disable CA1031 // Best effort by design: the command meets (and reports) any such failure itself.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
