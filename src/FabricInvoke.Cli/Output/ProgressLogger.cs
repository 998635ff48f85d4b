using System.Globalization;
using FabricInvoke.Core.Connections;
using FabricInvoke.Core.Delivery;
using FabricInvoke.Core.Diagnostics;
using FabricInvoke.Core.Endorsement;
using FabricInvoke.Core.Ordering;

namespace FabricInvoke.Cli.Output;

/// <summary>
/// Reports a command's progress as it happens, in the Go CLI's log phrases where it has one; also on the live status
/// line, when there is one; and keeps <see cref="CommandProgress"/> (txid, whether the transaction may still commit),
/// the CLI's one record of it, which the interrupt line reads.
/// </summary>
internal sealed class ProgressLogger(FabricLog log, CommandProgress progress, LiveProgress? live = null) : IProgressObserver
{
    public void Warning(string message) => log.Warning("InitCmdFactory", message);

    public void Retrying(RetryNotice notice) =>
        log.Debug("ClientConnect", $"cannot reach {notice.Role} {notice.Address} yet ({notice.Problem}); retrying in {notice.Delay.TotalMilliseconds:0}ms");

    public void Reconnecting(RetryNotice notice) =>
        log.Info("deliverEvents", $"the event stream broke ({notice.Problem}); re-opening it on peer {notice.Address} in {notice.Delay.TotalMilliseconds:0}ms");

    public void ProposalCreated(string txId)
    {
        progress.Proposed(txId);
        live?.Endorsing();
        log.Debug("chaincodeInvokeOrQuery", $"txid [{txId}] proposal created");
    }

    public void Endorsed(EndorsedTransaction transaction) =>
        log.Debug("chaincodeInvokeOrQuery",
            $"txid [{transaction.TxId}] endorsed by {string.Join(", ", transaction.Endorsements.Select(Describe))}; endorsements from {string.Join(", ", transaction.EndorserMspIds)}");

    private static string Describe(PeerEndorsement e) => e.Connect == TimeSpan.Zero
        ? string.Create(CultureInfo.InvariantCulture, $"{e.Address} ({e.Latency.TotalMilliseconds:0.0}ms)")
        : string.Create(CultureInfo.InvariantCulture,
            $"{e.Address} ({e.Latency.TotalMilliseconds:0.0}ms: connect {e.Connect.TotalMilliseconds:0.0}ms, TLS {e.Tls.TotalMilliseconds:0.0}ms, call {(e.Latency - e.Connect - e.Tls).TotalMilliseconds:0.0}ms)");

    public void DeliverConnected(string txId, int peers) =>
        log.Debug("ClientConnect", $"txid [{txId}] deliver connected on {peers} peer(s)");

    public void Submitting(string txId)
    {
        progress.Submitting();
        live?.Ordering(null);
    }

    public void Broadcasting(string txId, string ordererAddress)
    {
        live?.Ordering(ordererAddress);
        log.Debug("ChaincodeInvokeOrQuery", $"txid [{txId}] handed to orderer {ordererAddress}; waiting for its answer");
    }

    public void Submitted(SubmittedTransaction transaction)
    {
        progress.Submitted();
        live?.WaitingForCommit();
        log.Info("ChaincodeInvokeOrQuery", transaction.ThroughGateway
            ? $"txid [{transaction.TxId}] sent to orderer through gateway {transaction.OrdererAddress}"
            : transaction.Quorum is { } quorum
                ? $"txid [{transaction.TxId}] sent to orderer {transaction.OrdererAddress}: accepted by {string.Join(", ", transaction.AcceptedBy)} (BFT quorum {quorum})"
                : $"txid [{transaction.TxId}] sent to orderer {transaction.OrdererAddress}");
    }

    public void SendingToAllOrderers(string txId, IReadOnlyList<string> orderers, int quorum) =>
        log.Info("ChaincodeInvokeOrQuery",
            $"txid [{txId}] the channel orders with BFT: sending to all {orderers.Count} orderers at once ({string.Join(", ", orderers)}), {quorum} must accept it");

    public void OrdererTried(string txId, OrdererAttempt attempt)
    {
        var took = string.Create(CultureInfo.InvariantCulture, $"{attempt.Latency.TotalMilliseconds:0.0}ms");
        log.Info("ChaincodeInvokeOrQuery", attempt.Outcome switch
        {
            OrdererOutcome.Accepted when attempt.Message.Length > 0 => $"txid [{txId}] orderer {attempt.Address} already has it ({attempt.Status} -- {attempt.Message}): counted as accepted ({took})",
            OrdererOutcome.Accepted => $"txid [{txId}] orderer {attempt.Address} accepted it ({took})",
            OrdererOutcome.Refused => $"txid [{txId}] orderer {attempt.Address} refused it: {attempt.Status} -- {attempt.Message} ({took})",
            OrdererOutcome.Unreachable => $"txid [{txId}] cannot reach orderer {attempt.Address}: {attempt.Message} ({took})",
            _ => $"txid [{txId}] orderer {attempt.Address}: {attempt.Message} ({took})",
        });
    }

    public void OrderersDiscovered(string channelId, string peer, IReadOnlyList<string> orderers) =>
        log.Info("InitCmdFactory", $"Retrieved channel ({channelId}) orderer endpoint: {string.Join(", ", orderers)} (from peer {peer})");

    public void Committed(string txId, PeerCommit commit)
    {
        live?.Committed();
        log.Info("ClientWait", $"txid [{txId}] committed with status ({commit.CodeName}) at {commit.Address}");
        log.Debug("ClientWait", $"txid [{txId}] in block {commit.BlockNumber} at {commit.Address}, {commit.Latency.TotalMilliseconds:0.0}ms after the orderer accepted it");
    }
}
