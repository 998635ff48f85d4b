using System.CommandLine;
using System.Text.Json;
using FabricInvoke.Cli.Output;
using FabricInvoke.Core.Configuration;
using FabricInvoke.Core.Errors;
using FabricInvoke.DevNet;

namespace FabricInvoke.Cli.Commands;

/// <summary><c>fabinvoke devnet up</c>: run the embedded network in the foreground until Ctrl-C.</summary>
internal sealed class DevNetUpCommand
{
    private readonly Option<string> _dir = new("--dir") { Description = "Folder for crypto material, ledger and devnet.env", DefaultValueFactory = _ => DevNetDefaults.Directory };
    private readonly Option<int> _orgs = new("--orgs") { Description = "Number of peer organisations", DefaultValueFactory = _ => 2 };
    private readonly Option<int> _peersPerOrg = new("--peers-per-org") { Description = "Peers in each organisation", DefaultValueFactory = _ => 1 };
    private readonly Option<string> _batchTimeout = new("--batch-timeout") { Description = "Orderer batch timeout", DefaultValueFactory = _ => "100ms" };
    private readonly Option<int> _batchSize = new("--batch-size") { Description = "Orderer batch size (transactions per block)", DefaultValueFactory = _ => 10 };
    private readonly Option<int?> _port = new("--port") { Description = "Fixed ports: the orderer on PORT, peer i on PORT+1+i (default: free ports chosen by the system)" };
    private readonly CliContext _context;

    public DevNetUpCommand(CliContext context)
    {
        _context = context;
    }

    public Command Create()
    {
        var devnet = new Command("devnet", "The embedded local Fabric-compatible network (for trying fabinvoke and for tests; not a Fabric replacement).");
        var up = new Command("up", "Start the embedded network and keep it running until Ctrl-C.");
        foreach (var o in new Option[] { _dir, _orgs, _peersPerOrg, _batchTimeout, _batchSize, _port })
        {
            up.Add(o);
        }

        up.SetAction(RunAsync);
        devnet.Add(up);
        return devnet;
    }

    private async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var dir = Path.GetFullPath(parse.GetValue(_dir) ?? DevNetDefaults.Directory);
        var orgs = parse.GetValue(_orgs);
        var peersPerOrg = parse.GetValue(_peersPerOrg);
        var batchSize = parse.GetValue(_batchSize);
        if (orgs is < 1 or > 16 || peersPerOrg is < 1 or > 8 || batchSize is < 1 or > 10_000)
        {
            throw Failures.Usage("--orgs must be 1..16, --peers-per-org 1..8 and --batch-size 1..10000");
        }

        var port = parse.GetValue(_port);
        if (port is { } p && (p < 1 || p + (orgs * peersPerOrg) > 65535))
        {
            throw Failures.Usage($"--port {p} leaves no room for the orderer and {orgs * peersPerOrg} peer port(s) below 65536");
        }

        var batchText = parse.GetValue(_batchTimeout) ?? "100ms";
        if (!GoDuration.TryParse(batchText, out var batchTimeout) || batchTimeout <= TimeSpan.Zero)
        {
            throw Failures.Usage($"invalid duration '{batchText}' for --batch-timeout: use a Go duration such as 100ms or 2s");
        }

        await using var network = await DevNetLauncher.StartAsync(dir, cancellationToken, d => new DevNetOptions
        {
            Directory = d,
            Orgs = orgs,
            PeersPerOrg = peersPerOrg,
            BatchSize = batchSize,
            BatchTimeout = batchTimeout,
            BasePort = port,
        }).ConfigureAwait(false);

        var envFile = network.WriteEnvironmentFile();
        var summaryFile = Path.Combine(dir, "devnet.json");
        await File.WriteAllBytesAsync(summaryFile, Summary(network), cancellationToken).ConfigureAwait(false);

        var o = _context.Output;
        await o.WriteLineAsync($"devnet up: channel {network.ChannelId}, orderer {network.Orderer.Address}, {network.Peers.Count} peer(s)").ConfigureAwait(false);
        foreach (var peer in network.Peers)
        {
            await o.WriteLineAsync($"  {peer.Name} ({peer.MspId}) at {peer.Address}").ConfigureAwait(false);
        }

        await o.WriteLineAsync($"crypto material: {network.OrganizationsDirectory}").ConfigureAwait(false);
        await o.WriteLineAsync($"environment:     source {envFile}").ConfigureAwait(false);
        await o.WriteLineAsync($"summary:         {summaryFile}").ConfigureAwait(false);
        await o.WriteLineAsync("try:").ConfigureAwait(false);
        await o.WriteLineAsync($"  source {envFile}").ConfigureAwait(false);
        await o.WriteLineAsync($"  fabinvoke chaincode invoke -C {network.ChannelId} -n basic -c '{{\"Args\":[\"Put\",\"hello\",\"world\"]}}' $FABINVOKE_PEERS -o $ORDERER_ADDRESS --tls --cafile $ORDERER_CA --waitForEvent").ConfigureAwait(false);
        await o.WriteLineAsync("Press Ctrl-C to stop.").ConfigureAwait(false);
        await o.FlushAsync(CancellationToken.None).ConfigureAwait(false);

        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Ctrl-C is how this command is meant to end.
        }

        await o.WriteLineAsync("devnet stopped").ConfigureAwait(false);
        return ExitCodes.Success;
    }

    private static byte[] Summary(DevNetwork network)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("channel", network.ChannelId);
            json.WriteString("organizations", network.OrganizationsDirectory);
            json.WriteStartObject("orderer");
            json.WriteString("address", network.Orderer.Address);
            json.WriteString("tlsRootCertFile", network.Orderer.TlsRootCertFile);
            json.WriteEndObject();
            json.WriteStartArray("peers");
            foreach (var p in network.Peers)
            {
                json.WriteStartObject();
                json.WriteString("name", p.Name);
                json.WriteString("mspId", p.MspId);
                json.WriteString("address", p.Address);
                json.WriteString("tlsRootCertFile", p.TlsRootCertFile);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return stream.ToArray();
    }
}
