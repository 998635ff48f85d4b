using FabricInvoke.Core.Errors;

namespace FabricInvoke.Cli.Output;

/// <summary>
/// How far the running command got (its txid, whether the transaction was sent, so whether it may still commit) and
/// who writes the last word: the CLI's one record of it, kept by <see cref="ProgressLogger"/> from the stages' reports. A
/// signal that the command does not answer in time ends the process from outside the command's flow; this is what
/// lets that path say the right thing, exactly once.
/// </summary>
internal sealed class CommandProgress
{
    private int _finished;
    private volatile string? _txId;
    private volatile int _sendState;

    private volatile FabricLog? _statusLog;
    private volatile Func<FabricInvokeException>? _interruption;

    public string? TxId => _txId;

    /// <summary>The log that shows a live status line, if any: a signal's last line must erase it first.</summary>
    public void ShowsStatusOn(FabricLog? log) => _statusLog = log;

    /// <summary>Erases the live status line, if one is shown.</summary>
    public void ClearStatus() => _statusLog?.ClearStatus();

    public SendState SendState => (SendState)_sendState;

    public void Proposed(string txId) => _txId = txId;

    /// <summary>The transaction is being handed to the orderers: from here it may commit even if the command fails.</summary>
    public void Submitting() => Advance(SendState.MaybeSent);

    /// <summary>An orderer (or the BFT quorum, or the gateway) accepted the transaction.</summary>
    public void Submitted() => Advance(SendState.Sent);

    /// <summary>The send state only moves forward (not sent → maybe sent → sent).</summary>
    private void Advance(SendState state)
    {
        int current;
        do
        {
            current = _sendState;
            if ((int)state <= current)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref _sendState, (int)state, current) != current);
    }

    /// <summary>Claims the right to write the command's final result or error line; false when someone already did.</summary>
    public bool TryFinish() => Interlocked.Exchange(ref _finished, 1) == 0;

    /// <summary>
    /// What an interruption means for a command that sends no transaction (<c>devnet up</c> starting its network, say):
    /// without it, the wording is the transaction's (whether it was sent).
    /// </summary>
    public void InterruptedMeans(Func<FabricInvokeException>? failure) => _interruption = failure;

    /// <summary>The failure an interruption is reported as, now.</summary>
    public FabricInvokeException Interruption() => _interruption?.Invoke() ?? Failures.Interrupted(TxId, SendState);

    /// <summary>The line for a process that is stopped before the command could say it itself.</summary>
    public string InterruptedLine() => Interruption().Line;
}
