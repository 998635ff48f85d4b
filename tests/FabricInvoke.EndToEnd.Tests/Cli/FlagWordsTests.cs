using FabricInvoke.Cli.Output;
using FabricInvoke.Core.Errors;

namespace FabricInvoke.EndToEnd.Tests.Cli;

/// <summary>
/// Issue 23: Core's messages say what to change in Fabric terms; the CLI puts its flag names back. The CLI's words
/// (the <c>Error:</c> line and the JSON <c>message</c>, both <see cref="ResultWriter.CliMessage"/>) must stay exactly what
/// they were when Core wrote them, including for the failures no end-to-end test reaches cheaply.
/// </summary>
public sealed class FlagWordsTests
{
    public static TheoryData<string, string> Cases => new()
    {
        { "no orderer", "no orderer given: use -o/--orderer host:port" },
        { "no orderer endpoints", "the configuration of channel mychannel (from peer 127.0.0.1:7051) lists no orderer endpoints; give -o/--orderer" },
        { "commit policy", "--waitFor org:Org9MSP names Org9MSP, but none of the peers given (127.0.0.1:7051) belongs to it; nothing was sent to the orderer" },
        { "no events", "no event within 2s (--timeout) from 127.0.0.1:7051" },
        { "reconnect window", "gave up re-opening the event stream after 5s (--reconnect-timeout) on 127.0.0.1:7051: connection refused" },
    };

    private static FabricInvokeException Failure(string name) => name switch
    {
        "no orderer" => Failures.NoOrdererGiven(),
        "no orderer endpoints" => Failures.NoOrdererEndpoints("mychannel", "127.0.0.1:7051"),
        "commit policy" => Failures.CommitPolicyUnmet("tx1", "org:Org9MSP", ["Org9MSP"], ["127.0.0.1:7051"]),
        "no events" => Failures.NoEvents("event", TimeSpan.FromSeconds(2), "127.0.0.1:7051"),
        _ => Failures.GaveUpReconnecting("127.0.0.1:7051", TimeSpan.FromSeconds(5), "connection refused", null),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_cli_words_the_remedy_as_its_flag_exactly_as_before(string failure, string cliMessage)
    {
        var e = Failure(failure);

        Assert.Equal(cliMessage, ResultWriter.CliMessage(e));
    }
}
