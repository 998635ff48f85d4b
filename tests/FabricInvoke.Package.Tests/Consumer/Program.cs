// A library user's program: submit a Put, evaluate a Get and read the Put's chaincode event through the FabricInvoke.Core
// package, with its public stage API (proposal -> endorse -> submit -> commit wait). The README's example is this code.
//   Consumer --channel C --chaincode N --msp-dir DIR --msp-id ID --peer HOST:PORT=CA.pem ... --orderer HOST:PORT=CA.pem KEY VALUE
// Prints one line per step; exits 1 with "Error: ..." when a stage fails.
using System.Text;
using FabricInvoke.Core.Configuration;
using FabricInvoke.Core.Connections;
using FabricInvoke.Core.Delivery;
using FabricInvoke.Core.Endorsement;
using FabricInvoke.Core.Errors;
using FabricInvoke.Core.Events;
using FabricInvoke.Core.Identity;
using FabricInvoke.Core.Ordering;
using FabricInvoke.Core.Transactions;

string channel = "", chaincode = "", mspDir = "", mspId = "";
var peers = new List<NodeEndpoint>();
var orderers = new List<NodeEndpoint>();
var rest = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--channel": channel = args[++i]; break;
        case "--chaincode": chaincode = args[++i]; break;
        case "--msp-dir": mspDir = args[++i]; break;
        case "--msp-id": mspId = args[++i]; break;
        case "--peer": peers.Add(Node(args[++i])); break;
        case "--orderer": orderers.Add(Node(args[++i])); break;
        default: rest.Add(args[i]); break;
    }
}

var (key, value) = (rest[0], rest[1]);
var timeout = TimeSpan.FromSeconds(30);
using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
var ct = cts.Token;

try
{
    // Who signs, and whom to talk to (TLS to every node; connections open lazily).
    var identity = MspFolder.Load(mspDir, mspId);
    using var connections = ChaincodeCmdFactory.Create(
        new ConnectionSettings { Peers = peers, Orderers = orderers, PeerTransport = new TransportSettings(TimeSpan.FromSeconds(10), null) },
        identity);

    // Submit: sign a proposal, collect endorsements, send to an orderer, wait until every peer committed it.
    var proposal = ChaincodeProposal.Create(Invocation("Put", key, value), identity);
    var endorsed = await Endorser.EndorseAsync(proposal, connections.Peers, timeout, ct);
    using var commits = new DeliverGroup(connections.DeliverPeers, identity, channel, connections.BindTlsCertHash, timeout);
    await commits.ConnectAsync(proposal.TxId, ct);
    var submitted = await Broadcaster.SubmitAsync(endorsed, connections.Orderers, timeout, ct, connections.Ordering);
    var status = await commits.WaitAsync(
        submitted, CommitPolicy.All, endorsed.Endorsements.ToDictionary(e => e.Address, e => e.MspId ?? ""), onCommit: null, ct);
    var block = status.Commits[0].BlockNumber;
    Console.WriteLine($"submitted {submitted.TxId} {string.Join(",", status.Commits.Select(c => c.CodeName).Distinct())} block {block}");

    // Evaluate: one peer runs the chaincode; nothing is ordered.
    var query = ChaincodeProposal.Create(Invocation("Get", key), identity);
    var answer = await Endorser.EndorseAsync(query, [connections.Peers[0]], timeout, ct, "query");
    Console.WriteLine($"evaluated {Encoding.UTF8.GetString(answer.Result.Payload)}");

    // Events: the chaincode events of the block the Put committed in (the stream reconnects on its own; stop when found).
    var events = new EventFollower(connections, channel, reconnectTimeout: timeout);
    await foreach (var eventBlock in events.ChaincodeEventsAsync(chaincode, [], SeekFrom.Block(block), after: null, gateway: false, ct))
    {
        var mine = eventBlock.Events.FirstOrDefault(e => e.TxId == submitted.TxId);
        if (mine is not null)
        {
            Console.WriteLine($"event {mine.EventName} {Encoding.UTF8.GetString(mine.Payload)} tx {mine.TxId} block {mine.Block}");
            break;
        }
    }

    return 0;
}
catch (FabricInvokeException e)
{
    Console.Error.WriteLine($"Error: {e.Kind}: {e.Message}");
    return 1;
}

ChaincodeInvocation Invocation(params string[] arguments) =>
    new(channel, chaincode, arguments.Select(Encoding.UTF8.GetBytes).ToList(), [], IsInit: false);

static NodeEndpoint Node(string spec)
{
    var (address, ca) = (spec[..spec.IndexOf('=', StringComparison.Ordinal)], spec[(spec.IndexOf('=', StringComparison.Ordinal) + 1)..]);
    return new NodeEndpoint(Endpoint.Parse(address, "address"), ca, ServerNameOverride: null);
}
