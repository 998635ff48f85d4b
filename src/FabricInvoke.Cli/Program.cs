using System.Runtime.InteropServices;
using FabricInvoke.Cli;
using Microsoft.Extensions.Configuration;

using var interrupt = new CancellationTokenSource();

// Ctrl-C (SIGINT) and SIGTERM (a container or CI job being stopped) both stop the command cleanly:
// an invoke says whether its transaction was already sent and exits 130; `devnet up` shuts the network down.
// A second signal is not intercepted, so it ends the process the usual way.
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

var environment = new ConfigurationBuilder().AddEnvironmentVariables().Build();
var context = new CliContext(environment, Console.Out, Console.Error);
return await FabInvokeApp.RunAsync(args, context, interrupt.Token).ConfigureAwait(false);

void Stop(PosixSignalContext signal)
{
    if (!interrupt.IsCancellationRequested)
    {
        signal.Cancel = true;
        interrupt.Cancel();
    }
}
