using FabricInvoke.Cli;
using Microsoft.Extensions.Configuration;

using var interrupt = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // First Ctrl-C: stop cleanly (exit 130). A second one kills the process as usual.
    if (!interrupt.IsCancellationRequested)
    {
        e.Cancel = true;
        interrupt.Cancel();
    }
};

var environment = new ConfigurationBuilder().AddEnvironmentVariables().Build();
var context = new CliContext(environment, Console.Out, Console.Error);
return await FabInvokeApp.RunAsync(args, context, interrupt.Token).ConfigureAwait(false);
