using FabricInvoke.Core.Errors;
using FabricInvoke.DevNet;

namespace FabricInvoke.Cli.Commands;

/// <summary>Defaults shared by <c>devnet up</c> and <c>--devnet</c>.</summary>
internal static class DevNetDefaults
{
    public const string Directory = ".fabinvoke/devnet";
}

/// <summary>Starts the embedded network for a command, turning start-up problems into one-line failures.</summary>
internal static class DevNetLauncher
{
    public static async Task<DevNetwork> StartAsync(string directory, CancellationToken cancellationToken, Func<string, DevNetOptions>? options = null)
    {
        try
        {
            return await DevNetwork.StartAsync(options?.Invoke(directory) ?? new DevNetOptions { Directory = directory }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            throw Failures.Config(directory, $"cannot start the embedded network ({e.Message.ReplaceLineEndings(" ")})", e);
        }
    }
}
