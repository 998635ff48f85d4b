using System.CommandLine;
using FabricInvoke.Cli.Settings;
using D = FabricInvoke.Cli.Settings.DevNetSettingsTable;

namespace FabricInvoke.Cli.Commands;

/// <summary>The options of <c>devnet up</c>, made from <see cref="DevNetSettingsTable"/> rows.</summary>
internal sealed class DevNetUpCommandDefinition
{
    public Option<string> Dir { get; } = D.Dir.StringOption();

    public Option<int> Orgs { get; } = D.Orgs.Option();

    public Option<int> PeersPerOrg { get; } = D.PeersPerOrg.Option();

    /// <summary>Text, parsed by the action: a bad value gets the network's own wording (a Go duration from 1ms to 1h).</summary>
    public Option<string> BatchTimeout { get; } = D.BatchTimeout.StringOption();

    public Option<int> BatchSize { get; } = D.BatchSize.Option();

    public Option<int?> Port { get; } = D.Port.OptionalOption();

    public Option<bool> Durable { get; } = D.Durable.FlagOption();

    public Option<string> Timings { get; } = D.Timings.StringOption();

    /// <summary>The <c>devnet</c> command with <c>up</c>, which runs <paramref name="action"/>.</summary>
    public Command CreateCommand(DevNetUpAction action)
    {
        var devnet = new Command("devnet", "The embedded local Fabric-compatible network (for trying fabinvoke and for tests; not a Fabric replacement).");
        var up = new Command("up", "Start the embedded network and keep it running until Ctrl-C.");
        foreach (var o in new Option[] { Dir, Orgs, PeersPerOrg, BatchTimeout, BatchSize, Port, Durable, Timings })
        {
            up.Add(o);
        }

        up.SetAction((parse, ct) => action.RunAsync(parse, ct));
        devnet.Add(up);
        return devnet;
    }
}
