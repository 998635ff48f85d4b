using FabricInvoke.Cli.Output;
using FabricInvoke.Cli.Settings;
using FabricInvoke.Core.Invocation;
using FabricInvoke.Core.Transactions;

namespace FabricInvoke.Cli.Commands;

/// <summary>A chaincode command's settings with what its run writes through: the log and the trace of its phases.</summary>
internal sealed record ChaincodeCall<TSettings>(TSettings Settings, FabricLog Log, InvokeTrace Trace);

/// <summary>The steps <c>chaincode invoke</c> and <c>chaincode query</c> share: after parsing, and resolving <c>--devnet</c>.</summary>
internal static class ChaincodeCall
{
    /// <summary>Opens the log (its spec is already checked), writes the binder's notices, starts the trace.</summary>
    public static ChaincodeCall<TSettings> Start<TSettings>(TSettings settings, IReadOnlyList<string> notices, ChaincodeInvocation invocation, CliContext context)
    {
        var log = context.CreateLog();
        foreach (var notice in notices)
        {
            log.Info("InitCmdFactory", notice);
        }

        return new ChaincodeCall<TSettings>(settings, log, new InvokeTrace(invocation, context.Time, context.StartedAt));
    }

    /// <summary>
    /// The target: the peers and orderers bound, or (<c>--devnet</c>) the embedded network's, which
    /// <paramref name="on"/> puts into the settings once it runs; its notices are written then.
    /// </summary>
    public static async Task<CommandTarget<ChaincodeCall<TSettings>>> ResolveAsync<TSettings>(
        ChaincodeCall<TSettings> call, string? devnetDirectory, Func<TSettings, DevNetTarget, TSettings> on, Func<TSettings, IReadOnlyList<string>> notices,
        CliContext context, CancellationToken cancellationToken)
    {
        if (devnetDirectory is null)
        {
            return new CommandTarget<ChaincodeCall<TSettings>>(call, null);
        }

        var network = await DevNetLauncher.OpenAsync(devnetDirectory, context, cancellationToken).ConfigureAwait(false);
        try
        {
            var settings = on(call.Settings, new DevNetTarget(network.Network));
            foreach (var notice in notices(settings))
            {
                call.Log.Info("InitCmdFactory", notice);
            }

            return new CommandTarget<ChaincodeCall<TSettings>>(call with { Settings = settings }, network);
        }
        catch
        {
            await network.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
