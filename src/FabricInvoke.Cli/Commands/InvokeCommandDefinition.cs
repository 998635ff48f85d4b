using System.CommandLine;
using FabricInvoke.Cli.Settings;
using T = FabricInvoke.Cli.Settings.InvokeSettingsTable;

namespace FabricInvoke.Cli.Commands;

/// <summary>The options of <c>chaincode invoke</c>, made from <see cref="InvokeSettingsTable"/> (the Go peer CLI's names).</summary>
internal sealed class InvokeCommandDefinition
{
    public Option<string> Channel { get; } = T.Channel.StringOption();

    public Option<string> Name { get; } = T.Name.StringOption();

    public Option<string> Ctor { get; } = T.Ctor.StringOption();

    public Option<bool> IsInit { get; } = T.IsInit.FlagOption();

    public Option<string> Transient { get; } = T.Transient.StringOption();

    public Option<string[]> PeerAddresses { get; } = T.PeerAddresses.ListOption();

    public Option<string[]> TlsRootCertFiles { get; } = T.TlsRootCertFiles.ListOption();

    public Option<bool> WaitForEvent { get; } = T.WaitForEvent.FlagOption();

    public Option<TimeSpan?> WaitForEventTimeout { get; } = T.WaitForEventTimeout.DurationOption(T.MinTimeout, T.MaxTimeout);

    public Option<string[]> Orderer { get; } = T.Orderer.ListOption();

    public Option<bool> Tls { get; } = T.Tls.FlagOption();

    public Option<string> CaFile { get; } = T.CaFile.StringOption();

    public Option<bool> ClientAuth { get; } = T.ClientAuth.FlagOption();

    public Option<string> CertFile { get; } = T.CertFile.StringOption();

    public Option<string> KeyFile { get; } = T.KeyFile.StringOption();

    public Option<string> OrdererHostOverride { get; } = T.OrdererHostOverride.StringOption();

    public Option<TimeSpan?> ConnTimeout { get; } = T.ConnTimeout.DurationOption(T.MinTimeout, T.MaxConnectTimeout);

    public Option<TimeSpan?> RequestTimeout { get; } = T.RequestTimeout.DurationOption(T.MinTimeout, T.MaxTimeout);

    public Option<string> Output { get; } = OutputOption();

    public Option<string> DevNet { get; } = DevNetOption();

    /// <summary>The --devnet folder, or null when the option is absent.</summary>
    public string? DevNetDirectory(ParseResult parse) =>
        parse.GetResult(DevNet) is null ? null : parse.GetValue(DevNet) ?? DevNetDefaults.Directory;

    /// <summary>The options that must have a value (from a flag; the binder also accepts their variables).</summary>
    public IEnumerable<(Option Option, Setting Setting)> RequiredFlags =>
        [(Channel, T.Channel), (Name, T.Name)];

    public Command CreateCommand()
    {
        var command = new Command("invoke", "Invoke the specified chaincode: endorse on every peer, order, and (with --waitForEvent) wait for the commit on every peer.");
        foreach (var option in new Option[]
                 {
                     Channel, Name, Ctor, IsInit, Transient, PeerAddresses, TlsRootCertFiles, WaitForEvent, WaitForEventTimeout,
                     Orderer, Tls, CaFile, ClientAuth, CertFile, KeyFile, OrdererHostOverride, ConnTimeout, RequestTimeout, Output, DevNet,
                 })
        {
            command.Add(option);
        }

        return command;
    }

    private static Option<string> OutputOption()
    {
        var option = T.Output.StringOption();
        option.AcceptOnlyFromAmong("text", "json");
        return option;
    }

    private static Option<string> DevNetOption()
    {
        var option = T.DevNet.StringOption();
        option.Arity = ArgumentArity.ZeroOrOne;
        return option;
    }
}
