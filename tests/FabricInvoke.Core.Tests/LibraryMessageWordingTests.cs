using System.Text.RegularExpressions;
using FabricInvoke.Core.Errors;

namespace FabricInvoke.Core.Tests;

/// <summary>
/// Issue 23: Core is a library; its failure messages said what to do in the CLI's words ("use -o/--orderer",
/// "(--timeout)", "--waitFor …"), which mean nothing to a service calling it. They now say it in Fabric terms and carry
/// the remedy as a value (<see cref="FabricInvokeException.Remedy"/>) for the CLI to word as its flags.
/// </summary>
public sealed partial class LibraryMessageWordingTests
{
    public static TheoryData<string> Cases => [.. Failure.Keys];

    private static readonly Dictionary<string, Func<FabricInvokeException>> Failure = new()
    {
        // Broadcaster: a transaction with no orderer to go to.
        ["no orderer"] = Failures.NoOrdererGiven,
        // OrdererDiscovery: the channel configuration lists none.
        ["no orderer endpoints"] = () => Failures.NoOrdererEndpoints("mychannel", "127.0.0.1:7051"),
        // ChaincodeInvoker: the commit policy names an organisation none of the peers belongs to.
        ["commit policy"] = () => Failures.CommitPolicyUnmet("tx1", "Org2MSP", ["Org2MSP"], ["127.0.0.1:7051"]),
        // Events: nothing arrived within the stream's time limit.
        ["no events"] = () => Failures.NoEvents("event", TimeSpan.FromSeconds(2), "127.0.0.1:7051"),
        // Events: the reconnect window ran out.
        ["reconnect window"] = () => Failures.GaveUpReconnecting("127.0.0.1:7051", TimeSpan.FromSeconds(5), "connection refused", null),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_library_message_names_no_cli_flag_or_peer_environment_variable(string failure)
    {
        var message = Failure[failure]().Message;

        Assert.DoesNotMatch(CliWords(), message);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_remedy_is_a_value_whose_words_the_message_holds_once(string failure)
    {
        var e = Failure[failure]();

        Assert.NotEqual(Remedy.None, e.Remedy);
        var phrase = Failures.RemedyPhrase(e.Remedy);
        Assert.Single(Regex.Matches(e.Message, Regex.Escape(phrase)));
    }

    [Fact]
    public void The_remedy_survives_the_per_stage_exception_copy()
    {
        var e = new SubmitException(Failures.NoOrdererGiven());

        Assert.Equal(Remedy.OrdererRequired, e.Remedy);
    }

    // A long flag (--orderer), the peer CLI's short orderer flag (-o/), or a peer CLI environment variable.
    [GeneratedRegex(@"(?<![\w-])--[A-Za-z]|(?<![\w-])-o/|CORE_PEER_|ORDERER_GENERAL_")]
    private static partial Regex CliWords();
}
