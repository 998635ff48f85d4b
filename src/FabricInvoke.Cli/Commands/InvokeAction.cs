using System.CommandLine;
using FabricInvoke.Cli.Output;
using FabricInvoke.Cli.Settings;
using FabricInvoke.Core.Connections;
using FabricInvoke.Core.Delivery;
using FabricInvoke.Core.Diagnostics;
using FabricInvoke.Core.Invocation;
using Microsoft.Extensions.Configuration;

namespace FabricInvoke.Cli.Commands;

/// <summary>The behaviour of <c>chaincode invoke</c>: bind settings, run the invoker, log like the peer CLI.</summary>
internal sealed class InvokeAction
{
    private readonly InvokeCommandDefinition _definition;
    private readonly CliContext _context;

    public InvokeAction(InvokeCommandDefinition definition, CliContext context)
    {
        _definition = definition;
        _context = context;
    }

    public async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var devnetDirectory = _definition.DevNetDirectory(parse);
        if (devnetDirectory is null)
        {
            return await InvokeAsync(InvokeSettingsBinder.Bind(_definition, parse, _context.Environment), cancellationToken).ConfigureAwait(false);
        }

        await using var network = await DevNetLauncher.OpenAsync(devnetDirectory, _context, cancellationToken).ConfigureAwait(false);
        var settings = InvokeSettingsBinder.Bind(_definition, parse, _context.Environment, new DevNetTarget(network));
        return await InvokeAsync(settings, cancellationToken).ConfigureAwait(false);
    }

    private async Task<int> InvokeAsync(FabricInvoke.Core.Configuration.InvokeSettings settings, CancellationToken cancellationToken)
    {
        var log = _context.CreateLog();
        var invoker = new ChaincodeInvoker(new LoggingObserver(log), _context.Time);
        var result = await invoker.InvokeAsync(settings, cancellationToken).ConfigureAwait(false);
        log.Info("chaincodeInvokeOrQuery", "Chaincode invoke successful. result: " +
            ProtoText.Response(result.Response.Status, result.Response.Message, result.Response.Payload));
        return ExitCodes.Success;
    }

    /// <summary>Reports progress as it happens, in the Go CLI's phrases where it has one.</summary>
    private sealed class LoggingObserver(FabricLog log) : IInvokeObserver
    {
        public void Warning(string message) => log.Warning("InitCmdFactory", message);

        public void Retrying(RetryNotice notice) =>
            log.Debug("ClientConnect", $"cannot reach {notice.Role} {notice.Address} yet ({notice.Problem}); retrying in {notice.Delay.TotalMilliseconds:0}ms");

        public void ProposalCreated(string txId) =>
            log.Debug("chaincodeInvokeOrQuery", $"txid [{txId}] proposal created");

        public void Endorsed(string txId, IReadOnlyList<PeerEndorsement> endorsements) =>
            log.Debug("chaincodeInvokeOrQuery", $"txid [{txId}] endorsed by {string.Join(", ", endorsements.Select(e => $"{e.Address} ({e.Latency.TotalMilliseconds:0}ms)"))}");

        public void DeliverConnected(string txId, int peers) =>
            log.Debug("ClientConnect", $"txid [{txId}] deliver connected on {peers} peer(s)");

        public void Broadcast(string txId, string ordererAddress) =>
            log.Info("ChaincodeInvokeOrQuery", $"txid [{txId}] sent to orderer {ordererAddress}");

        public void Committed(string txId, CommitResult commit) =>
            log.Info("ClientWait", $"txid [{txId}] committed with status ({FabricNames.Of(commit.Code)}) at {commit.Address}");
    }
}
