using System.CommandLine;
using FabricInvoke.Cli.Settings;
using E = FabricInvoke.Cli.Settings.EventsSettingsTable;
using T = FabricInvoke.Cli.Settings.InvokeSettingsTable;

namespace FabricInvoke.Cli.Commands;

/// <summary>
/// The options of <c>events chaincode</c> and <c>events blocks</c>, made from <see cref="EventsSettingsTable"/> rows
/// and the shared peer rows of <see cref="InvokeSettingsTable"/>.
/// </summary>
internal sealed class EventsCommandDefinition
{
    private const string ChaincodeCommandName = "chaincode";

    public Option<string> Channel { get; } = T.Channel.StringOption();

    public Option<string> Name { get; } = T.Name.StringOption();

    public Option<string[]> Event { get; } = E.Event.ListOption();

    public Option<string> Start { get; } = E.Start.StringOption();

    public Option<string> Checkpoint { get; } = E.Checkpoint.StringOption();

    public Option<string> OutputFile { get; } = E.OutputFile.StringOption();

    public Option<ulong?> UntilBlock { get; } = new(E.UntilBlock.Flags[0]) { Description = E.UntilBlock.HelpText };

    public Option<long?> Count { get; } = new(E.Count.Flags[0]) { Description = E.Count.HelpText };

    public Option<TimeSpan?> Timeout { get; } = E.Timeout.Option();

    public Option<TimeSpan?> ReconnectTimeout { get; } = E.ReconnectTimeout.Option();

    public Option<string[]> PeerAddresses { get; } = T.PeerAddresses.ListOption();

    public Option<string[]> TlsRootCertFiles { get; } = T.TlsRootCertFiles.ListOption();

    public Option<string> ConnectionProfile { get; } = T.ConnectionProfile.StringOption();

    public Option<TimeSpan?> ConnTimeout { get; } = T.ConnTimeout.Option();

    public Option<bool> Gateway { get; } = T.Gateway.FlagOption();

    public Option<string> Output { get; } = E.Output.Option();

    /// <summary>The <c>events</c> command with its two subcommands, each running <paramref name="action"/>.</summary>
    public Command CreateCommand(EventsAction action)
    {
        var events = new Command("events", "Follow a channel: chaincode events of valid transactions, or block summaries, resumable from a checkpoint.");
        var chaincode = new Command(ChaincodeCommandName, "Stream a chaincode's events from full blocks (or a peer Gateway), one line each.");
        foreach (var o in new Option[] { Channel, Name, Event, Start, Checkpoint, OutputFile, UntilBlock, Count, Timeout, ReconnectTimeout, PeerAddresses, TlsRootCertFiles, ConnectionProfile, ConnTimeout, Gateway, Output })
        {
            chaincode.Add(o);
        }

        chaincode.SetAction((parse, ct) => action.RunAsync(parse, ct));
        var blocks = new Command("blocks", "Stream block summaries from DeliverFiltered: each transaction's id and validation code.");
        foreach (var o in new Option[] { Channel, Start, Checkpoint, OutputFile, UntilBlock, Count, Timeout, ReconnectTimeout, PeerAddresses, TlsRootCertFiles, ConnectionProfile, ConnTimeout, Output })
        {
            blocks.Add(o);
        }

        blocks.SetAction((parse, ct) => action.RunAsync(parse, ct));
        events.Add(chaincode);
        events.Add(blocks);
        return events;
    }

    /// <summary>Which of the two subcommands the line runs.</summary>
    public static EventStreamKind Kind(ParseResult parse) =>
        parse.CommandResult.Command.Name == ChaincodeCommandName ? EventStreamKind.Chaincode : EventStreamKind.Blocks;
}
