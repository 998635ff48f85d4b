// A library user's program: submit, evaluate, and follow chaincode and block events (resuming from a checkpoint)
// through the FabricInvoke.Core package, with its public client API (FabricClient -> network -> contract; the stages
// proposal -> endorse -> submit -> commit status). The package README's example is this code.
//   Consumer --channel C --chaincode N --msp-dir DIR --msp-id ID [--path direct|gateway]
//            --peer HOST:PORT=CA.pem ... --orderer HOST:PORT=CA.pem KEY VALUE
// Puts KEY=VALUE, then KEY.next=VALUE.next and KEY.last=VALUE.last; prints one line per step; exits 1 with "Error: ..." when a stage fails.
using System.Text;
using FabricInvoke.Core;
using FabricInvoke.Core.Errors;

string channel = "", chaincode = "", mspDir = "", mspId = "";
var path = SubmitPath.Direct;
var peers = new List<FabricEndpoint>();
var orderers = new List<FabricEndpoint>();
var rest = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--channel": channel = args[++i]; break;
        case "--chaincode": chaincode = args[++i]; break;
        case "--msp-dir": mspDir = args[++i]; break;
        case "--msp-id": mspId = args[++i]; break;
        case "--path": path = Enum.Parse<SubmitPath>(args[++i], ignoreCase: true); break;
        case "--peer": peers.Add(Node(args[++i])); break;
        case "--orderer": orderers.Add(Node(args[++i])); break;
        default: rest.Add(args[i]); break;
    }
}

var (key, value) = (rest[0], rest[1]);
using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
var ct = cts.Token;

try
{
    // Who signs (an MSP folder: signcerts/ and keystore/), and whom to talk to (TLS to every node; connections open lazily).
    var signer = Signers.FromMspFolder(mspDir, mspId);
    using var signerKey = signer as IDisposable;
    await using var client = FabricClient.Create(new FabricClientOptions
    {
        Identity = ClientIdentity.FromMspFolder(mspDir, mspId),
        Signer = signer,
        Peers = peers,
        Orderers = orderers,
        Path = path,
        CommitStatusTimeout = TimeSpan.FromSeconds(30),
    });
    var network = client.GetNetwork(channel);
    var contract = network.GetContract(chaincode);

    // Submit: endorse on every peer, send to an orderer, wait until every peer committed it. (contract.SubmitAsync does
    // all three in one call; the stages give the transaction id and block.)
    var first = await PutAsync(contract, key, value, ct);

    // Evaluate: one peer runs the chaincode; nothing is ordered.
    var answer = await contract.EvaluateAsync("Get", [key], ct);
    Console.WriteLine($"evaluated {Encoding.UTF8.GetString(answer)}");

    // Chaincode events from the block the Put committed in (the stream reconnects on its own); keep the checkpoint of
    // the last event processed, as a service would store it.
    ChaincodeEvent? seen = null;
    await foreach (var e in network.ChaincodeEventsAsync(chaincode, startBlock: first.BlockNumber, cancellationToken: ct))
    {
        if (e.TxId == first.TxId)
        {
            Console.WriteLine($"event {e.EventName} {Encoding.UTF8.GetString(e.Payload)} tx {e.TxId} block {e.BlockNumber}");
            seen = e;
            break;
        }
    }

    // Later (a restart, say): two more Puts, then resume after the checkpoint: nothing up to it again, everything after it.
    var second = await PutAsync(contract, key + ".next", value + ".next", ct);
    var third = await PutAsync(contract, key + ".last", value + ".last", ct);
    await foreach (var e in network.ChaincodeEventsAsync(chaincode, after: seen!.Checkpoint, cancellationToken: ct))
    {
        Console.WriteLine($"resumed event {e.EventName} {Encoding.UTF8.GetString(e.Payload)} tx {e.TxId} block {e.BlockNumber}");
        if (e.TxId == third.TxId)
        {
            break;
        }
    }

    // Block events: every block's transactions and validation codes. The checkpoint of a block stream is the next
    // block number to read.
    ulong next = 0;
    await foreach (var block in network.BlockEventsAsync(startBlock: first.BlockNumber, cancellationToken: ct))
    {
        if (block.Transactions.FirstOrDefault(t => t.TxId == first.TxId) is { } tx)
        {
            Console.WriteLine($"block {block.Number} tx {tx.TxId} {tx.ValidationCodeName}");
            next = block.Number + 1;
            break;
        }
    }

    await foreach (var block in network.BlockEventsAsync(startBlock: next, cancellationToken: ct))
    {
        Console.WriteLine($"resumed block {block.Number}");
        if (block.Transactions.FirstOrDefault(t => t.TxId == second.TxId) is { } tx)
        {
            Console.WriteLine($"block {block.Number} tx {tx.TxId} {tx.ValidationCodeName}");
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

static async Task<TransactionStatus> PutAsync(Contract contract, string key, string value, CancellationToken ct)
{
    var transaction = await contract.NewProposal("Put", new ProposalOptions { Arguments = [Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(value)] })
        .EndorseAsync(ct);
    using var commit = await transaction.SubmitAsync(ct);
    var status = await commit.GetStatusAsync(ct);
    Console.WriteLine($"submitted {status.TxId} {string.Join(",", status.Commits.Select(c => c.CodeName).Distinct())} block {status.BlockNumber}");
    return status;
}

static FabricEndpoint Node(string spec)
{
    var at = spec.IndexOf('=', StringComparison.Ordinal);
    return new FabricEndpoint { Address = spec[..at], TlsRootCertificateFile = spec[(at + 1)..] };
}
