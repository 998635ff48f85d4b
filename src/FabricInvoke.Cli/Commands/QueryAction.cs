using System.CommandLine;
using System.Globalization;
using System.Text;
using FabricInvoke.Cli.Output;
using FabricInvoke.Cli.Settings;
using FabricInvoke.Core.Connections;
using FabricInvoke.Core.Identity;
using FabricInvoke.Core.Invocation;

namespace FabricInvoke.Cli.Commands;

/// <summary>
/// The behaviour of <c>chaincode query</c>, in the shape of every command: parse (bind and validate, before any network
/// starts), resolve the target (the peers given, or the embedded network), evaluate through the query stage, print the
/// payload on stdout as the peer CLI prints it.
/// </summary>
internal sealed class QueryAction(QueryCommandDefinition definition, CliContext context)
    : CommandAction<ChaincodeCall<QueryCommandSettings>, InvokeResult>(context)
{
    protected override ResultWriter CreateWriter(ParseResult parse) => new(InvokeSettingsTable.Output.Value(parse, definition.Output), Context);

    protected override ChaincodeCall<QueryCommandSettings> Parse(ParseResult parse, CommandRun run)
    {
        var settings = ChaincodeSettingsBinder.Bind(definition, parse, Context.Environment);
        var call = ChaincodeCall.Start(settings, settings.Notices, settings.Invocation, Context);
        run.Partial = call.Trace.Snapshot;
        return call;
    }

    protected override Task<CommandTarget<ChaincodeCall<QueryCommandSettings>>> ResolveAsync(ChaincodeCall<QueryCommandSettings> call, CommandRun run, CancellationToken cancellationToken) =>
        ChaincodeCall.ResolveAsync(call, call.Settings.DevNetDirectory, (s, devnet) => s.On(devnet, Context.Environment), s => s.Notices, Context, cancellationToken);

    protected override Task<InvokeResult> RunAsync(CommandTarget<ChaincodeCall<QueryCommandSettings>> target, CommandRun run, CancellationToken cancellationToken)
    {
        var (settings, log, trace) = target.Settings;
        return QueryAsync(settings, log, trace, cancellationToken);
    }

    protected override int Write(CommandTarget<ChaincodeCall<QueryCommandSettings>> target, InvokeResult result, CommandRun run) =>
        run.Output.QuerySucceeded(result, Payload(target.Settings.Settings.Payload));

    private async Task<InvokeResult> QueryAsync(QueryCommandSettings settings, FabricLog log, InvokeTrace trace, CancellationToken cancellationToken)
    {
        var observer = new ProgressLogger(log, Context.Progress);
        var signer = MspFolder.Load(settings.MspConfigPath, settings.MspId);
        using var connections = ChaincodeCmdFactory.Create(settings.Connections, signer, observer, Context.Time);
        var options = new QueryOptions
        {
            Invocation = settings.Invocation,
            RequestTimeout = settings.RequestTimeout,
            QueryAll = settings.QueryAll,
            Gateway = settings.Gateway,
        };
        await new ChaincodeQuerier(observer).QueryAsync(connections, options, trace, cancellationToken).ConfigureAwait(false);
        return trace.Snapshot();
    }

    /// <summary>The bytes the peer CLI prints for a payload, newline included: as they are, Go's byte-slice form (-r), or hex (-x).</summary>
    internal static Func<byte[], byte[]> Payload(PayloadFormat format) => format switch
    {
        PayloadFormat.Raw => p => Encoding.ASCII.GetBytes("[" + string.Join(' ', p.Select(b => b.ToString(CultureInfo.InvariantCulture))) + "]\n"),
        PayloadFormat.Hex => p => Encoding.ASCII.GetBytes(Convert.ToHexStringLower(p) + "\n"),
        _ => p => [.. p, (byte)'\n'],
    };
}
