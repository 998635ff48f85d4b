using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using FabricInvoke.Core.Errors;
using FabricInvoke.DevNet.Host.Protocol;

namespace FabricInvoke.Cli.Commands;

/// <summary>
/// The embedded network's own process, fabinvoke-devnet (shipped under <c>devnet/</c> beside fabinvoke, so that the client
/// carries no server code): started with the arguments of <c>FabricInvoke.DevNet.Host.HostRequest</c>, it writes one
/// <see cref="HostEvent"/> per line on its stdout and runs the network until its stdin is closed — by
/// <see cref="DisposeAsync"/>, or by the kernel when this process dies, so a killed fabinvoke leaves no network behind.
/// </summary>
internal sealed class DevNetProcess : IAsyncDisposable
{
    /// <summary>How long a stopping network may take (last block cut, ledgers flushed) before its process is killed.</summary>
    private static readonly TimeSpan StopBound = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly string _hostPath;
    private readonly Action<HostEvent> _diagnostic;
    private readonly TaskCompletionSource<HostEvent?> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _reader;
    private volatile bool _stopped;
    private bool _disposed;
    private int? _exitCode;

    private DevNetProcess(Process process, string hostPath, Action<HostEvent> diagnostic)
    {
        _process = process;
        _hostPath = hostPath;
        _diagnostic = diagnostic;
        _reader = Task.Run(ReadEventsAsync);
    }

    /// <summary>The ready network.</summary>
    public HostNetwork Network { get; private set; } = null!;

    /// <summary>The host's pid.</summary>
    public int ProcessId => _process.Id;

    /// <summary>Completes when the host has closed its stdout (it stopped, or died). True: it said it stopped the network.</summary>
    public Task<bool> Ended => _reader.ContinueWith(_ => _stopped, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);

    /// <summary>The host's exit code once it has exited (kept when disposed), else null.</summary>
    public int? ExitCode => _exitCode ?? (!_disposed && _process.HasExited ? _process.ExitCode : null);

    /// <summary>
    /// Starts fabinvoke-devnet with <paramref name="arguments"/> and waits for its network to be ready. Diagnostics go to
    /// <paramref name="diagnostic"/> (from a reader thread) as they come, before and after ready.
    /// </summary>
    /// <returns>The running process, or its failure event (the process has then ended).</returns>
    /// <exception cref="FabricInvokeException">Config: the host is missing, cannot be started, or ended without saying why.</exception>
    /// <exception cref="OperationCanceledException">Cancelled before the network was ready (the host has been stopped).</exception>
    /// <param name="dotnetHostPath">DOTNET_HOST_PATH from the environment: the dotnet host when the runtime's own is not found.</param>
    public static async Task<(DevNetProcess? Process, HostFailure? Failure)> StartAsync(
        IReadOnlyList<string> arguments, Action<HostEvent> diagnostic, string? dotnetHostPath, CancellationToken cancellationToken)
    {
        var (start, hostPath) = HostCommand(AppContext.BaseDirectory, arguments, dotnetHostPath);
        if (!File.Exists(hostPath))
        {
            throw Failures.Config(hostPath, "cannot start the embedded network: its program fabinvoke-devnet is missing (run from a complete fabinvoke build or tool install)");
        }

        var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException or PlatformNotSupportedException)
        {
            process.Dispose();
            throw Failures.Config(hostPath, $"cannot start the embedded network ({start.FileName}: {e.Message.ReplaceLineEndings(" ")}; run from a complete fabinvoke build or tool install)", e);
        }

        var host = new DevNetProcess(process, hostPath, diagnostic);
        HostEvent? outcome;
        try
        {
            outcome = await host._outcome.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Not ready yet, so nothing was acknowledged that a kill could lose (the ledger survives SIGKILL), and the
            // host may be stuck where it cannot see its stdin close: stopped at once, so the folder's lock goes with it.
            host.Kill();
            await host.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        if (outcome is { Event: HostEvent.Ready, Network: { } network })
        {
            host.Network = network;
            return (host, null);
        }

        await host.DisposeAsync().ConfigureAwait(false);
        if (outcome is { Event: HostEvent.Failed, Failure: { } failure })
        {
            return (null, failure);
        }

        if (cancellationToken.IsCancellationRequested)
        {
            // Ctrl-C reached the host too and it stopped before it was ready.
            throw new OperationCanceledException(cancellationToken);
        }

        throw Failures.Config(hostPath, $"cannot start the embedded network: fabinvoke-devnet {host.HowItEnded()} before its network was ready");
    }

    /// <summary>The failure for a host that ended while its network was in use.</summary>
    public FabricInvokeException EndedUnexpectedly()
    {
        // Its stdout closed as it exited: wait (briefly) for the exit itself, so the message can give its code.
        if (!_disposed && !_process.WaitForExit(StopBound))
        {
            Kill();
        }

        return Failures.Config(_hostPath, $"the embedded network stopped unexpectedly: fabinvoke-devnet {HowItEnded()}");
    }

    /// <summary>"exited with code 137" (on Unix a signal shows as 128 + its number; .NET cannot tell the two apart).</summary>
    private string HowItEnded() => ExitCode is { } code ? $"exited with code {code.ToString(System.Globalization.CultureInfo.InvariantCulture)}" : "ended";

    private void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception)
        {
            // It exited meanwhile.
        }
    }

    /// <summary>Closes the host's stdin (it stops the network and exits) and waits for it, killing it after <see cref="StopBound"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
            // Already gone.
        }

        using (var bound = new CancellationTokenSource(StopBound))
        {
            try
            {
                await _process.WaitForExitAsync(bound.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                try
                {
                    _process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                    // It exited meanwhile.
                }

                await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }

        await _reader.ConfigureAwait(false);
        _exitCode = _process.ExitCode;
        _process.Dispose();
    }

    private async Task ReadEventsAsync()
    {
        try
        {
            while (await _process.StandardOutput.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                HostEvent? e;
                try
                {
                    e = JsonSerializer.Deserialize(line, HostEventJson.Default.HostEvent);
                }
                catch (JsonException)
                {
                    // Not an event (nothing else should write there): not worth failing the command for.
                    continue;
                }

                switch (e?.Event)
                {
                    case HostEvent.Diagnostic:
                        Report(e);
                        break;
                    case HostEvent.Ready or HostEvent.Failed:
                        _outcome.TrySetResult(e);
                        break;
                    case HostEvent.Stopped:
                        _stopped = true;
                        break;
                }
            }
        }
        catch (IOException)
        {
            // The pipe broke: the same as end of file.
        }
        finally
        {
            _outcome.TrySetResult(null);
        }
    }

    private void Report(HostEvent diagnostic)
    {
        try
        {
            _diagnostic(diagnostic);
        }
#pragma warning disable CA1031 // A diagnostic that cannot be printed must not stop the reader (the network keeps running).
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    /// <summary>
    /// How to run the host from <paramref name="baseDirectory"/>/devnet: the native executable when this process is native
    /// AOT and one is there, else fabinvoke-devnet.dll under the dotnet host that runs this process (never the JIT
    /// apphost, which would need DOTNET_ROOT).
    /// </summary>
    internal static (ProcessStartInfo Start, string HostPath) HostCommand(string baseDirectory, IReadOnlyList<string> arguments, string? dotnetHostPath)
    {
        var folder = Path.Combine(baseDirectory, "devnet");
        var native = Path.Combine(folder, "fabinvoke-devnet");
        ProcessStartInfo start;
        string hostPath;
        var managed = Path.Combine(folder, "fabinvoke-devnet.dll");
        if (!RuntimeFeature.IsDynamicCodeSupported && (File.Exists(native) || !File.Exists(managed)))
        {
            // Native: its own native helper (named when it is missing), or else a managed one beside it.
            start = new ProcessStartInfo(native);
            hostPath = native;
        }
        else
        {
            hostPath = managed;
            start = new ProcessStartInfo(DotnetHost(dotnetHostPath));
            start.ArgumentList.Add(hostPath);
        }

        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        start.UseShellExecute = false;
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.StandardOutputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        return (start, hostPath);
    }

    /// <summary>The dotnet executable of the runtime running this process (…/shared/Microsoft.NETCore.App/&lt;version&gt;/ → three levels up), else DOTNET_HOST_PATH, else dotnet on PATH.</summary>
    private static string DotnetHost(string? dotnetHostPath)
    {
        var name = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        var runtime = RuntimeEnvironment.GetRuntimeDirectory();
        if (!string.IsNullOrEmpty(runtime))
        {
            var root = Path.GetFullPath(Path.Combine(runtime, "..", "..", ".."));
            var candidate = Path.Combine(root, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return dotnetHostPath is { Length: > 0 } && File.Exists(dotnetHostPath) ? dotnetHostPath : name;
    }
}
