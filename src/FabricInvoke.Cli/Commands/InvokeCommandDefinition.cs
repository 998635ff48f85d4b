using System.CommandLine;

namespace FabricInvoke.Cli.Commands;

/// <summary>The options of <c>chaincode invoke</c>, named as the Go peer CLI names them.</summary>
internal sealed class InvokeCommandDefinition
{
    public Option<string> Channel { get; } = new("--channelID", "-C") { Description = "The channel on which this command should be executed" };

    public Option<string> Name { get; } = new("--name", "-n") { Description = "Name of the chaincode" };

    public Option<string> Ctor { get; } = new("--ctor", "-c") { Description = "Constructor message for the chaincode in JSON format", DefaultValueFactory = _ => "{}" };

    public Option<bool> IsInit { get; } = new("--isInit", "-I") { Description = "Is this invocation for init (useful for supporting legacy chaincodes in the new lifecycle)" };

    public Option<string> Transient { get; } = new("--transient") { Description = "Transient map of arguments in JSON encoding (values base64)" };

    public Option<string[]> PeerAddresses { get; } = new("--peerAddresses") { Description = "The addresses of the peers to connect to (repeatable; default CORE_PEER_ADDRESS)" };

    public Option<string[]> TlsRootCertFiles { get; } = new("--tlsRootCertFiles") { Description = "The TLS root cert files of the peers, in --peerAddresses order (default CORE_PEER_TLS_ROOTCERT_FILE)" };

    public Option<bool> WaitForEvent { get; } = new("--waitForEvent") { Description = "Whether to wait for the event from each peer's deliver filtered service signifying that the transaction has been committed" };

    public Option<string> WaitForEventTimeout { get; } = new("--waitForEventTimeout") { Description = "Time to wait for the commit event from each peer (e.g. 30s)", DefaultValueFactory = _ => "30s" };

    public Option<string[]> Orderer { get; } = new("--orderer", "-o") { Description = "Ordering service endpoint host:port (repeatable or comma-separated; tried in order)" };

    public Option<bool> Tls { get; } = new("--tls") { Description = "Use TLS when communicating with the orderer endpoint" };

    public Option<string> CaFile { get; } = new("--cafile") { Description = "Path to file containing PEM-encoded trusted certificate(s) for the ordering endpoint" };

    public Option<bool> ClientAuth { get; } = new("--clientauth") { Description = "Use mutual TLS when communicating with the orderer endpoint" };

    public Option<string> CertFile { get; } = new("--certfile") { Description = "Path to file containing PEM-encoded X509 public key to use for mutual TLS communication with the orderer endpoint" };

    public Option<string> KeyFile { get; } = new("--keyfile") { Description = "Path to file containing PEM-encoded private key to use for mutual TLS communication with the orderer endpoint" };

    public Option<string> OrdererHostOverride { get; } = new("--ordererTLSHostnameOverride") { Description = "The hostname override to use when validating the TLS connection to the orderer" };

    public Option<string> ConnTimeout { get; } = new("--connTimeout") { Description = "Timeout for client to connect (default CORE_PEER_CLIENT_CONNTIMEOUT, else 3s)" };

    public Option<string> RequestTimeout { get; } = new("--requestTimeout") { Description = "Deadline for each endorsement and broadcast call (fabinvoke; default 30s)", DefaultValueFactory = _ => "30s" };

    public Option<string> DevNet { get; } = new("--devnet")
    {
        Description = "Run against the embedded local network kept in this folder (default .fabinvoke/devnet): started for this command, stopped after it",
        Arity = ArgumentArity.ZeroOrOne,
        HelpName = "DIR",
    };

    /// <summary>The --devnet folder, or null when the option is absent.</summary>
    public string? DevNetDirectory(ParseResult parse) =>
        parse.GetResult(DevNet) is null ? null : Path.GetFullPath(parse.GetValue(DevNet) ?? DevNetDefaults.Directory);

    public Command CreateCommand()
    {
        var command = new Command("invoke", "Invoke the specified chaincode.");
        foreach (var option in new Option[]
                 {
                     Channel, Name, Ctor, IsInit, Transient, PeerAddresses, TlsRootCertFiles, WaitForEvent, WaitForEventTimeout,
                     Orderer, Tls, CaFile, ClientAuth, CertFile, KeyFile, OrdererHostOverride, ConnTimeout, RequestTimeout, DevNet,
                 })
        {
            command.Add(option);
        }

        return command;
    }
}
