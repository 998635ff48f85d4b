using System.CommandLine;
using System.Globalization;
using System.Text;
using FabricInvoke.Cli.Output;
using FabricInvoke.Cli.Settings;
using FabricInvoke.Core.Connections;
using FabricInvoke.Core.Errors;
using FabricInvoke.Core.Identity;
using FabricInvoke.Core.Invocation;

namespace FabricInvoke.Cli.Commands;

/// <summary>
/// The behaviour of <c>chaincode query</c>: bind and validate (before any network starts), evaluate through the query
/// stage, print the payload on stdout as the peer CLI prints it.
/// </summary>
internal sealed class QueryAction
{
    private readonly QueryCommandDefinition _definition;
    private readonly CliContext _context;

    public QueryAction(QueryCommandDefinition definition, CliContext context)
    {
        _definition = definition;
        _context = context;
    }

    public async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var output = new ResultWriter(parse.GetValue(_definition.Output) == "json" ? OutputFormat.Json : OutputFormat.Text, _context);
        InvokeTrace? trace = null;
        try
        {
            var settings = ChaincodeSettingsBinder.Bind(_definition, parse, _context.Environment);
            var log = _context.CreateLog();
            foreach (var notice in settings.Notices)
            {
                log.Info("InitCmdFactory", notice);
            }

            trace = new InvokeTrace(settings.Invocation, _context.Time, _context.StartedAt);
            if (settings.DevNetDirectory is not { } directory)
            {
                return output.QuerySucceeded(await QueryAsync(settings, log, trace, cancellationToken).ConfigureAwait(false), Payload(settings.Payload));
            }

            await using var network = await DevNetLauncher.OpenAsync(directory, _context, cancellationToken).ConfigureAwait(false);
            settings = ChaincodeSettingsBinder.Bind(_definition, parse, _context.Environment, new DevNetTarget(network.Network));
            foreach (var notice in settings.Notices)
            {
                log.Info("InitCmdFactory", notice);
            }

            return output.QuerySucceeded(await QueryAsync(settings, log, trace, cancellationToken).ConfigureAwait(false), Payload(settings.Payload));
        }
        catch (FabricInvokeException e)
        {
            return output.Failed(e, trace?.Snapshot());
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return output.Interrupted();
        }
#pragma warning disable CA1031 // The last line of defence: a bug must still end in one line and a documented code, never a stack trace.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return output.InternalError(e);
        }
    }

    private async Task<InvokeResult> QueryAsync(QueryCommandSettings settings, FabricLog log, InvokeTrace trace, CancellationToken cancellationToken)
    {
        var observer = new InvokeAction.LoggingObserver(log, _context.Progress);
        var signer = MspFolder.Load(settings.MspConfigPath, settings.MspId);
        using var connections = ChaincodeCmdFactory.Create(settings.Connections, signer, observer, _context.Time);
        var options = new QueryOptions
        {
            Invocation = settings.Invocation,
            RequestTimeout = settings.RequestTimeout,
            QueryAll = settings.QueryAll,
            Gateway = settings.Gateway,
        };
        return await new ChaincodeQuerier(observer).QueryAsync(connections, options, trace, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The bytes the peer CLI prints for a payload, newline included: as they are, Go's byte-slice form (-r), or hex (-x).</summary>
    internal static Func<byte[], byte[]> Payload(PayloadFormat format) => format switch
    {
        PayloadFormat.Raw => p => Encoding.ASCII.GetBytes("[" + string.Join(' ', p.Select(b => b.ToString(CultureInfo.InvariantCulture))) + "]\n"),
        PayloadFormat.Hex => p => Encoding.ASCII.GetBytes(Convert.ToHexStringLower(p) + "\n"),
        _ => p => [.. p, (byte)'\n'],
    };
}
