using System.CommandLine;
using FabricInvoke.Cli.Output;
using FabricInvoke.Core.Errors;
using FabricInvoke.Core.Invocation;

namespace FabricInvoke.Cli.Commands;

/// <summary>
/// The one shape of every command that does something (<c>chaincode invoke</c>, <c>chaincode query</c>,
/// <c>events chaincode</c>/<c>blocks</c>, <c>devnet up</c>): parse (bind and check every setting; nothing starts
/// before) → resolve the target (the peers and orderers given, or the embedded network) → run → write the outcome.
/// Whatever escapes becomes an exit code and one <c>Error:</c> line in <see cref="ErrorLadder"/>.
/// </summary>
/// <typeparam name="TSettings">What parsing gives: every setting, validated.</typeparam>
/// <typeparam name="TResult">What running gives, for the write step.</typeparam>
internal abstract class CommandAction<TSettings, TResult>
{
    protected CommandAction(CliContext context)
    {
        Context = context;
    }

    protected CliContext Context { get; }

    /// <summary>Runs the command line through the four steps and returns the exit code; never throws.</summary>
    public Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var run = new CommandRun(CreateWriter(parse));
        return ErrorLadder.RunAsync(run, () => StepsAsync(parse, run, cancellationToken), cancellationToken);
    }

    /// <summary>How the outcome is written (<c>--output</c>), known before the rest is parsed: a usage error is written that way too.</summary>
    protected abstract ResultWriter CreateWriter(ParseResult parse);

    /// <summary>Parse: every setting bound (flag, variable, default) and checked.</summary>
    /// <exception cref="FabricInvokeException">Usage or Config, naming the flag, variable or file.</exception>
    protected abstract TSettings Parse(ParseResult parse, CommandRun run);

    /// <summary>Resolve the target the settings name; by default, the settings as they are, with nothing to release.</summary>
    protected virtual Task<CommandTarget<TSettings>> ResolveAsync(TSettings settings, CommandRun run, CancellationToken cancellationToken) =>
        Task.FromResult(new CommandTarget<TSettings>(settings, null));

    /// <summary>Run the command against its target.</summary>
    protected abstract Task<TResult> RunAsync(CommandTarget<TSettings> target, CommandRun run, CancellationToken cancellationToken);

    /// <summary>Write the outcome; returns the exit code. Called before the target is released.</summary>
    protected abstract int Write(CommandTarget<TSettings> target, TResult result, CommandRun run);

    private async Task<int> StepsAsync(ParseResult parse, CommandRun run, CancellationToken cancellationToken)
    {
        var settings = Parse(parse, run);
        await using var target = await ResolveAsync(settings, run, cancellationToken).ConfigureAwait(false);
        var result = await RunAsync(target, run, cancellationToken).ConfigureAwait(false);
        return Write(target, result, run);
    }
}

/// <summary>
/// What a command runs against: its settings, resolved, and what it holds for the run (the embedded network, a
/// checkpoint's lock), released after the write.
/// </summary>
internal sealed record CommandTarget<TSettings>(TSettings Settings, IAsyncDisposable? Held) : IAsyncDisposable
{
    public ValueTask DisposeAsync() => Held?.DisposeAsync() ?? ValueTask.CompletedTask;
}

/// <summary>One run of a command: where its outcome goes, and what a failure or an interrupt reports besides itself.</summary>
internal sealed class CommandRun(ResultWriter output)
{
    public ResultWriter Output { get; } = output;

    /// <summary>What was done before a failure, when known (an invoke's phases and txid): written with it.</summary>
    public Func<InvokeResult?>? Partial { get; set; }

    /// <summary>The failure an interrupt (Ctrl-C, SIGTERM) is reported as; null: the txid and send state so far.</summary>
    public Func<FabricInvokeException>? Interrupted { get; set; }
}

/// <summary>
/// The one place where what escapes a command becomes its exit code and its one <c>Error:</c> line: a
/// <see cref="FabricInvokeException"/> by its kind, a cancellation by the interrupt (130), anything else as an
/// internal error (1) — never a stack trace.
/// </summary>
internal static class ErrorLadder
{
    public static async Task<int> RunAsync(CommandRun run, Func<Task<int>> command, CancellationToken cancellationToken)
    {
        try
        {
            return await command().ConfigureAwait(false);
        }
        catch (FabricInvokeException e)
        {
            return run.Output.Failed(e, run.Partial?.Invoke());
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return run.Interrupted is { } interrupted ? run.Output.Failed(interrupted()) : run.Output.Interrupted();
        }
#pragma warning disable CA1031 // The last line of defence: a bug must still end in one line and a documented code, never a stack trace.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return run.Output.InternalError(e);
        }
    }
}
