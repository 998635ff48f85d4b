using System.CommandLine;
using FabricInvoke.Cli.Settings;
using FabricInvoke.Core.Delivery;
using T = FabricInvoke.Cli.Settings.InvokeSettingsTable;

namespace FabricInvoke.Cli.Commands;

/// <summary>
/// The options every <c>chaincode</c> command shares (what to call, on which peers, as whom, how to report), made from
/// <see cref="InvokeSettingsTable"/> rows. Each command adds its own.
/// </summary>
internal abstract class ChaincodeCommandDefinition
{
    public Option<string> Channel { get; } = T.Channel.StringOption();

    public Option<string> Name { get; } = T.Name.StringOption();

    public Option<string> Ctor { get; } = T.Ctor.StringOption();

    public Option<string> Transient { get; } = T.Transient.StringOption();

    public Option<string[]> PeerAddresses { get; } = T.PeerAddresses.ListOption();

    public Option<string[]> TlsRootCertFiles { get; } = T.TlsRootCertFiles.ListOption();

    public Option<string> ConnectionProfile { get; } = T.ConnectionProfile.StringOption();

    public Option<TimeSpan?> ConnTimeout { get; } = T.ConnTimeout.Option();

    public Option<TimeSpan?> RequestTimeout { get; } = T.RequestTimeout.Option();

    public Option<bool> Gateway { get; } = T.Gateway.FlagOption();

    public Option<string> Output { get; } = T.Output.Option();

    public Option<string> DevNet { get; } = DevNetOption();

    /// <summary>The --devnet folder, or null when the option is absent.</summary>
    public string? DevNetDirectory(ParseResult parse) =>
        parse.GetResult(DevNet) is null ? null : parse.GetValue(DevNet) ?? DevNetDefaults.Directory;

    /// <summary>The command's own options, in help order, after the shared ones that come first.</summary>
    protected abstract IEnumerable<Option> Specific { get; }

    protected Command Create(string name, string description)
    {
        var command = new Command(name, description);
        foreach (var option in new Option[] { Channel, Name, Ctor }.Concat(Specific).Concat([Transient, PeerAddresses, TlsRootCertFiles, ConnectionProfile, ConnTimeout, RequestTimeout, Gateway, Output, DevNet]))
        {
            command.Add(option);
        }

        return command;
    }

    private static Option<string> DevNetOption()
    {
        var option = T.DevNet.StringOption();
        option.Arity = ArgumentArity.ZeroOrOne;
        return option;
    }
}

/// <summary>The options of <c>chaincode invoke</c>, named as the Go peer CLI names them.</summary>
internal sealed class InvokeCommandDefinition : ChaincodeCommandDefinition
{
    public Option<bool> IsInit { get; } = T.IsInit.FlagOption();

    public Option<bool> WaitForEvent { get; } = T.WaitForEvent.FlagOption();

    public Option<TimeSpan?> WaitForEventTimeout { get; } = T.WaitForEventTimeout.Option();

    public Option<CommitPolicy?> WaitFor { get; } = T.WaitFor.Option();

    public Option<string[]> EndorsingOrganizations { get; } = T.EndorsingOrganizations.ListOption();

    public Option<string[]> Orderer { get; } = T.Orderer.ListOption();

    public Option<bool> Tls { get; } = T.Tls.FlagOption();

    public Option<string> CaFile { get; } = T.CaFile.StringOption();

    public Option<bool> ClientAuth { get; } = T.ClientAuth.FlagOption();

    public Option<string> CertFile { get; } = T.CertFile.StringOption();

    public Option<string> KeyFile { get; } = T.KeyFile.StringOption();

    public Option<string> OrdererHostOverride { get; } = T.OrdererHostOverride.StringOption();

    public Option<bool> NoProgress { get; } = T.NoProgress.FlagOption();

    public Option<string> Batch { get; } = T.Batch.StringOption();

    public Option<int?> Concurrency { get; } = T.Concurrency.OptionalOption();

    public Option<string> Journal { get; } = T.Journal.StringOption();

    public Option<string> OutputFile { get; } = T.OutputFile.StringOption();

    public Option<bool> SkipInvalidLines { get; } = T.SkipInvalidLines.FlagOption();

    public Option<bool> RetryInvalid { get; } = T.RetryInvalid.FlagOption();

    protected override IEnumerable<Option> Specific =>
    [
        IsInit, WaitForEvent, WaitForEventTimeout, WaitFor, Orderer, Tls, CaFile, ClientAuth, CertFile, KeyFile, OrdererHostOverride, EndorsingOrganizations, NoProgress,
        Batch, Concurrency, Journal, OutputFile, SkipInvalidLines, RetryInvalid,
    ];

    public Command CreateCommand() => Create("invoke", "Invoke the specified chaincode: endorse on every peer, order, and (with --waitForEvent) wait for the commit on every peer.");
}

/// <summary>The options of <c>chaincode query</c>: the peer CLI's (-C -n -c, peers, -r/--raw, -x/--hex) and fabinvoke's.</summary>
internal sealed class QueryCommandDefinition : ChaincodeCommandDefinition
{
    public Option<bool> Raw { get; } = T.Raw.FlagOption();

    public Option<bool> Hex { get; } = T.Hex.FlagOption();

    public Option<bool> QueryAll { get; } = T.QueryAll.FlagOption();

    protected override IEnumerable<Option> Specific => [Raw, Hex, QueryAll];

    public Command CreateCommand() => Create("query", "Query the specified chaincode: evaluate it on the first peer (or every peer, with --queryAll) and print its answer on stdout.");
}
