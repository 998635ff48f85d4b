using System.CommandLine;
using System.Reflection;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using FabricInvoke.Cli.Commands;
using FabricInvoke.Cli.Output;

namespace FabricInvoke.Cli;

/// <summary>The command tree, and the one place that turns what escapes a command into an exit code and a line.</summary>
internal static class FabInvokeApp
{
    public static RootCommand BuildRoot(CliContext context)
    {
        var root = new RootCommand("fabinvoke: invoke Hyperledger Fabric chaincode and wait for the commit on every peer.");
        var chaincode = new Command("chaincode", "Operate a chaincode: invoke, query.");
        var invoke = new InvokeCommandDefinition();
        var invokeCommand = invoke.CreateCommand();
        var invokeAction = new InvokeAction(invoke, context);
        var batchAction = new BatchInvokeAction(invoke, context);
        invokeCommand.SetAction((parse, cancellationToken) =>
            parse.GetResult(invoke.Batch) is not { Implicit: false } ? invokeAction.RunAsync(parse, cancellationToken) : batchAction.RunAsync(parse, cancellationToken));
        chaincode.Add(invokeCommand);
        var query = new QueryCommandDefinition();
        var queryCommand = query.CreateCommand();
        var queryAction = new QueryAction(query, context);
        queryCommand.SetAction(queryAction.RunAsync);
        chaincode.Add(queryCommand);
        root.Add(chaincode);
        var events = new EventsCommandDefinition();
        root.Add(events.CreateCommand(new EventsAction(events, context)));
        var devnet = new DevNetUpCommandDefinition();
        root.Add(devnet.CreateCommand(new DevNetUpAction(devnet, context)));
        root.Add(new CompletionCommand(context).Create());
        HelpExamples.AddTo(root);
        return root;
    }

    /// <summary>The version and commit this build was made from (the same text the root command's --version prints).</summary>
    private static string Version =>
        typeof(FabInvokeApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    /// <summary>Runs one command line and returns the process exit code. Never throws for user-facing failures.</summary>
    public static async Task<int> RunAsync(string[] args, CliContext context, CancellationToken cancellationToken)
    {
        if (args is ["--version"])
        {
            // What the root command's --version prints, without building the command tree first: scripts run it
            // to check the tool is there, and the tree is most of what this process would otherwise do.
            await context.Output.WriteLineAsync(Version).ConfigureAwait(false);
            await context.Output.FlushAsync(cancellationToken).ConfigureAwait(false);
            return ExitCodes.Success;
        }

        var root = BuildRoot(context);
        var parse = root.Parse(args);
        var output = new ResultWriter(RequestsJson(parse) ? OutputFormat.Json : OutputFormat.Text, context);
        var helping = parse.Action is HelpAction or HelpExamples.HelpWithExamplesAction;
        if (!helping && (FlagWithoutValue(parse) ?? (parse.Errors.Count > 0 ? parse.Errors[0].Message : null)) is { } error)
        {
            return output.UsageFailed(error, $"Run '{string.Join(' ', CommandPath(parse))} --help' for usage.");
        }

        var config = new InvocationConfiguration
        {
            Output = context.Output,
            Error = context.Error,
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = null,
        };

        // Every command runs its own ErrorLadder; this one is for what runs outside them (completion, help).
        return await ErrorLadder.RunAsync(new CommandRun(output), () => parse.InvokeAsync(config, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A flag that takes a value but is not followed by one (<c>-C mychannel -C</c>, as <c>-C $UNSET</c> gives): the
    /// parser would keep the earlier value, while the peer CLI refuses the line ("flag needs an argument"), so do we.
    /// </summary>
    private static string? FlagWithoutValue(ParseResult parse)
    {
        var options = new List<Option>();
        for (SymbolResult? r = parse.CommandResult; r is not null; r = r.Parent)
        {
            if (r is CommandResult command)
            {
                options.AddRange(command.Command.Options);
            }
        }

        bool TakesValue(string flag) =>
            options.FirstOrDefault(o => o.Name == flag || o.Aliases.Contains(flag)) is { Arity.MinimumNumberOfValues: > 0 };

        var tokens = parse.Tokens;
        for (var i = 0; i < tokens.Count; i++)
        {
            if (tokens[i].Type == TokenType.Option && TakesValue(tokens[i].Value)
                && (i + 1 == tokens.Count || tokens[i + 1].Type != TokenType.Argument))
            {
                return $"flag needs an argument: {tokens[i].Value}";
            }
        }

        return null;
    }

    /// <summary>True when the parsed command has an --output option set to json (even if the rest of the line is wrong).</summary>
    private static bool RequestsJson(ParseResult parse) =>
        parse.CommandResult.Command.Options.OfType<Option<string>>().FirstOrDefault(o => o.Name == "--output") is { } option
        && parse.GetResult(option) is { } result && result.Tokens.Count > 0 && Settings.InvokeSettingsTable.Output.Parse(result.Tokens[^1].Value) == OutputFormat.Json;

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
