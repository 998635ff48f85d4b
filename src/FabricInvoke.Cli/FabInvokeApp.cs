using System.CommandLine;
using FabricInvoke.Cli.Commands;
using FabricInvoke.Cli.Output;
using FabricInvoke.Core.Errors;

namespace FabricInvoke.Cli;

/// <summary>The command tree and the single place that turns outcomes into exit codes.</summary>
internal static class FabInvokeApp
{
    public static RootCommand BuildRoot(CliContext context)
    {
        var root = new RootCommand("fabinvoke: invoke Hyperledger Fabric chaincode and wait for the commit on every peer.");
        var chaincode = new Command("chaincode", "Operate a chaincode: invoke.");
        var invoke = new InvokeCommandDefinition();
        var invokeCommand = invoke.CreateCommand();
        var action = new InvokeAction(invoke, context);
        invokeCommand.SetAction((parse, ct) => action.RunAsync(parse, ct));
        chaincode.Add(invokeCommand);
        root.Add(chaincode);
        root.Add(new DevNetUpCommand(context).Create());
        return root;
    }

    /// <summary>Runs one command line and returns the process exit code. Never throws for user-facing failures.</summary>
    public static async Task<int> RunAsync(string[] args, CliContext context, CancellationToken cancellationToken)
    {
        var root = BuildRoot(context);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            context.Error.WriteLine($"Error: {parse.Errors[0].Message}");
            context.Error.WriteLine($"Run '{string.Join(' ', CommandPath(parse))} --help' for usage.");
            return ExitCodes.Usage;
        }

        try
        {
            var config = new InvocationConfiguration
            {
                Output = context.Output,
                Error = context.Error,
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = null,
            };
            return await parse.InvokeAsync(config, cancellationToken).ConfigureAwait(false);
        }
        catch (FabricInvokeException e)
        {
            context.Error.WriteLine($"Error: {e.Message}");
            if (e.TxId is not null && !e.Message.Contains(e.TxId, StringComparison.Ordinal))
            {
                context.Error.WriteLine($"txid: {e.TxId}");
            }

            return ExitCodes.For(e.Kind);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            context.Error.WriteLine("Error: interrupted");
            return ExitCodes.Interrupted;
        }
#pragma warning disable CA1031 // The last line of defence: a bug must still end in one line and a documented code, never a stack trace.
        catch (Exception e)
#pragma warning restore CA1031
        {
            context.Error.WriteLine($"Error: internal error ({e.GetType().Name}): {e.Message.ReplaceLineEndings(" ")}");
            if (context.Environment["FABINVOKE_DEBUG_STACK"] == "1")
            {
                context.Error.WriteLine(e.ToString());
            }

            return ExitCodes.Internal;
        }
    }

    private static IEnumerable<string> CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var r = parse.CommandResult; r is not null; r = r.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Insert(0, r.Command is RootCommand ? "fabinvoke" : r.Command.Name);
        }

        return names;
    }
}
