using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace FabricInvoke.Cli.Commands;

/// <summary>
/// Two worked examples per command, printed at the end of its <c>--help</c>. A test runs every example line through
/// the parser, so an example can never name a flag or value the command does not take.
/// </summary>
internal static class HelpExamples
{
    private const string Put = """'{"Args":["Put","hello","world"]}'""";
    private const string Get = """'{"Args":["Get","hello"]}'""";
    private const string Peer1 = "--peerAddresses localhost:7051 --tlsRootCertFiles org1-tlsca.pem";

    /// <summary>Command path (as typed after <c>fabinvoke</c>) → (what it does, the command line).</summary>
    public static readonly IReadOnlyDictionary<string, (string What, string Line)[]> ByCommand = new Dictionary<string, (string, string)[]>
    {
        [""] =
        [
            ("Invoke on the embedded network (started for the command) and wait for the commit on every peer",
                $"fabinvoke chaincode invoke --devnet -C mychannel -n basic -c {Put} --waitForEvent"),
            ("Keep the embedded network running, for other shells and tools", "fabinvoke devnet up"),
        ],
        ["chaincode invoke"] =
        [
            ("Put a key on the embedded network and wait for the commit on every peer",
                $"fabinvoke chaincode invoke --devnet -C mychannel -n basic -c {Put} --waitForEvent"),
            ("On a Fabric network, as CORE_PEER_LOCALMSPID / CORE_PEER_MSPCONFIGPATH with CORE_PEER_TLS_ENABLED=true",
                $"fabinvoke chaincode invoke -C mychannel -n basic -c {Put} {Peer1} --peerAddresses localhost:9051 --tlsRootCertFiles org2-tlsca.pem -o localhost:7050 --tls --cafile orderer-tlsca.pem --waitForEvent"),
        ],
        ["chaincode query"] =
        [
            ("Read a key from the embedded network", $"fabinvoke chaincode query --devnet -C mychannel -n basic -c {Get}"),
            ("Ask one peer of a Fabric network, the answer as JSON", $"fabinvoke chaincode query -C mychannel -n basic -c {Get} {Peer1} --output json"),
        ],
        ["events chaincode"] =
        [
            ("Follow basic's events from the first block, resuming after the last one printed",
                $"fabinvoke events chaincode -C mychannel -n basic --start oldest --checkpoint basic.ckpt {Peer1}"),
            ("Wait up to 30s for the next Put event, as JSON", $"fabinvoke events chaincode -C mychannel -n basic --event Put --count 1 --timeout 30s --output json {Peer1}"),
        ],
        ["events blocks"] =
        [
            ("Print block 5: each transaction's id and validation code", $"fabinvoke events blocks -C mychannel --start 5 --count 1 {Peer1}"),
            ("Every block from the first to block 10, as JSON Lines", $"fabinvoke events blocks -C mychannel --start oldest --until-block 10 --output json {Peer1}"),
        ],
        ["devnet up"] =
        [
            ("Run the embedded network from .fabinvoke/devnet until Ctrl-C (then: source .fabinvoke/devnet/devnet.env)", "fabinvoke devnet up"),
            ("Three organisations of two peers, fast blocks, fsync per block", "fabinvoke devnet up --dir net --orgs 3 --peers-per-org 2 --batch-timeout 50ms --durable"),
        ],
        ["completion"] =
        [
            ("Print the bash script; load it with: source <(fabinvoke completion bash)", "fabinvoke completion bash"),
            ("Print the zsh script; load it (after compinit) with: source <(fabinvoke completion zsh)", "fabinvoke completion zsh"),
        ],
    };

    /// <summary>The path of <paramref name="command"/> below the root, e.g. "chaincode invoke" ("" for the root).</summary>
    public static string PathOf(Command command)
    {
        var names = new List<string>();
        for (var c = command; c is not null and not RootCommand; c = c.Parents.OfType<Command>().FirstOrDefault())
        {
            names.Insert(0, c.Name);
        }

        return string.Join(' ', names);
    }

    /// <summary>Makes every --help of <paramref name="root"/> end with the command's examples.</summary>
    public static void AddTo(RootCommand root)
    {
        var help = root.Options.OfType<HelpOption>().Single();
        help.Action = new HelpWithExamplesAction((HelpAction)help.Action!);
    }

    /// <summary>System.CommandLine's help, then "Examples:".</summary>
    internal sealed class HelpWithExamplesAction(HelpAction help) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            var code = help.Invoke(parseResult);
            if (ByCommand.TryGetValue(PathOf(parseResult.CommandResult.Command), out var examples))
            {
                var output = parseResult.InvocationConfiguration.Output;
                output.WriteLine("Examples:");
                foreach (var (what, line) in examples)
                {
                    output.WriteLine($"  {what}:");
                    output.WriteLine($"    {line}");
                }

                output.WriteLine();
            }

            return code;
        }
    }
}
