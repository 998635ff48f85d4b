using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace FabricInvoke.Package.Tests;

/// <summary>A node: its address and the TLS root certificate file that verifies it.</summary>
public sealed record FabricNode(string Address, string TlsRootCertFile);

/// <summary>Where the packed library is run: a channel with the <c>basic</c> chaincode, a user's MSP folder, the nodes.</summary>
public sealed record FabricTarget(string Channel, string Chaincode, string MspId, string MspDirectory, IReadOnlyList<FabricNode> Peers, IReadOnlyList<FabricNode> Orderers);

/// <summary>
/// What a library user must see through the packed package, the same on DevNet and on real Fabric: the consumer
/// program and the sample service. Each submits, evaluates and follows events; every assertion names the transaction
/// it looks for, so other clients writing to the same channel meanwhile do not matter.
/// </summary>
public static partial class PackedLibraryChecks
{
    /// <summary>A bound on each HTTP exchange or event wait (a hang guard).</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(2);

    /// <summary>
    /// The consumer (tests/FabricInvoke.Package.Tests/Consumer) on <paramref name="path"/> (Direct or Gateway): a
    /// committed Put, its value evaluated back, its chaincode event; after the event's checkpoint only later events (a
    /// second and third Put's, never the first's again); the blocks of both Puts, the block stream resumed at the next block.
    /// </summary>
    public static async Task ConsumerSubmitsEvaluatesAndFollowsEvents(FabricTarget target, string path)
    {
        var consumer = await PackedLibrary.ConsumerAsync();
        var key = "pkg-" + Guid.NewGuid().ToString("N")[..8];
        var value = "v-" + Guid.NewGuid().ToString("N")[..8];
        var args = new List<string>
        {
            consumer, "--channel", target.Channel, "--chaincode", target.Chaincode, "--msp-dir", target.MspDirectory, "--msp-id", target.MspId, "--path", path,
        };
        args.AddRange(target.Peers.SelectMany(p => new[] { "--peer", $"{p.Address}={p.TlsRootCertFile}" }));
        args.AddRange(target.Orderers.SelectMany(o => new[] { "--orderer", $"{o.Address}={o.TlsRootCertFile}" }));
        args.AddRange([key, value]);
        var run = await PackedLibrary.RunAsync("dotnet", args, PackedLibrary.Work, PackedLibrary.RunBound);

        Assert.True(run.ExitCode == 0, $"the consumer failed:\n{run}");
        var submitted = SubmittedLine().Matches(run.Stdout);
        Assert.True(submitted.Count == 3, $"expected three 'submitted <txid> VALID block N' lines:\n{run}");
        var (tx1, block1) = (submitted[0].Groups["tx"].Value, ulong.Parse(submitted[0].Groups["block"].Value, CultureInfo.InvariantCulture));
        var (tx2, block2) = (submitted[1].Groups["tx"].Value, ulong.Parse(submitted[1].Groups["block"].Value, CultureInfo.InvariantCulture));
        var (tx3, block3) = (submitted[2].Groups["tx"].Value, ulong.Parse(submitted[2].Groups["block"].Value, CultureInfo.InvariantCulture));
        var lines = run.Stdout.Split('\n');

        Assert.Contains($"evaluated {value}", lines);
        // BasicChaincode's Put emits the event "Put" with the key as its payload.
        Assert.Contains($"event Put {key} tx {tx1} block {block1}", lines);

        // Resumed after the first event's checkpoint: the first Put's event is not delivered again; the second's and the
        // third's are (the second's is not in the newest block: a stream that only started at the newest would miss it).
        var resumed = lines.Where(l => l.StartsWith("resumed event ", StringComparison.Ordinal)).ToList();
        Assert.True(resumed.Count > 0 && resumed[^1] == $"resumed event Put {key}.last tx {tx3} block {block3}", $"the resumed stream did not end with the third Put's event:\n{run}");
        Assert.Contains($"resumed event Put {key}.next tx {tx2} block {block2}", resumed);
        Assert.DoesNotContain(resumed, l => l.Contains(tx1, StringComparison.Ordinal));

        // Block events: the first Put's block, then the stream resumed at the next block until the second Put's.
        Assert.Contains($"block {block1} tx {tx1} VALID", lines);
        var resumedBlocks = lines.Where(l => l.StartsWith("resumed block ", StringComparison.Ordinal)).ToList();
        Assert.True(resumedBlocks.Count > 0 && resumedBlocks[0] == $"resumed block {block1 + 1}", $"the block stream did not resume at block {block1 + 1}:\n{run}");
        Assert.Contains($"block {block2} tx {tx2} VALID", lines);
    }

    /// <summary>
    /// The sample service built from the package, as its own process: PUT commits (transaction id and block in the
    /// answer), GET reads the value back, /events from that block delivers the Put's event, and reconnecting with that
    /// event's id as Last-Event-ID delivers the later Puts' events and not the first one again.
    /// </summary>
    public static async Task SampleServesSubmitEvaluateAndEvents(FabricTarget target, string path)
    {
        var dll = await PackedLibrary.SampleAsync();
        var settings = new Dictionary<string, string>
        {
            ["Fabric:MspId"] = target.MspId,
            ["Fabric:MspPath"] = target.MspDirectory,
            ["Fabric:Channel"] = target.Channel,
            ["Fabric:Chaincode"] = target.Chaincode,
            ["Fabric:Path"] = path,
            // The library's own log lines (reconnects, endpoints) in the output a failure shows.
            ["Logging:LogLevel:FabricInvoke"] = "Debug",
        };
        for (var i = 0; i < target.Peers.Count; i++)
        {
            settings[$"Fabric:Peers:{i}:Address"] = target.Peers[i].Address;
            settings[$"Fabric:Peers:{i}:TlsRootCertFile"] = target.Peers[i].TlsRootCertFile;
        }

        for (var i = 0; i < target.Orderers.Count; i++)
        {
            settings[$"Fabric:Orderers:{i}:Address"] = target.Orderers[i].Address;
            settings[$"Fabric:Orderers:{i}:TlsRootCertFile"] = target.Orderers[i].TlsRootCertFile;
        }

        await using var sample = await SampleProcess.StartAsync(dll, settings, Bound);
        using var http = new HttpClient { BaseAddress = sample.Address, Timeout = Bound };
        var key = "sample-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            var (tx1, block1) = await PutAsync(http, key, "blue");
            Assert.Equal("blue", await http.GetStringAsync(new Uri($"/assets/{key}", UriKind.Relative)));

            // The events from the Put's block: its event comes, with its checkpoint as the event id.
            var first = await ReadUntilAsync(http, $"/events?startBlock={block1}", null, tx1);
            Assert.Equal("Put", first.Name);
            using (var data = JsonDocument.Parse(first.Data))
            {
                Assert.Equal(key, data.RootElement.GetProperty("Payload").GetString());
                Assert.Equal(block1, data.RootElement.GetProperty("Block").GetUInt64());
            }

            Assert.StartsWith($"{block1}:", first.Id, StringComparison.Ordinal);

            // Reconnect after that event (the stream closed meanwhile, two more Puts committed): exactly what came after
            // it: the second Put's event too, which a stream from the newest block would miss.
            var (tx2, _) = await PutAsync(http, key + ".next", "green");
            var (tx3, _) = await PutAsync(http, key + ".last", "red");
            var resumed = await ReadUntilAsync(http, "/events", first.Id, tx3);
            Assert.Equal("Put", resumed.Name);
            Assert.Contains(resumed.Before, e => e.Data.Contains(tx2, StringComparison.Ordinal));
            Assert.DoesNotContain(resumed.Before, e => e.Data.Contains(tx1, StringComparison.Ordinal));
        }
        catch (Exception e)
        {
            Assert.Fail($"{(e is Xunit.Sdk.XunitException ? "" : e.GetType().Name + ": ")}{e.Message}\n--- the sample's output\n{sample.Output}");
        }
    }

    private static async Task<(string TxId, ulong Block)> PutAsync(HttpClient http, string key, string value)
    {
        using var put = await http.PutAsync(new Uri($"/assets/{key}", UriKind.Relative), new StringContent(value, Encoding.UTF8));
        var body = await put.Content.ReadAsStringAsync();
        Assert.True(put.StatusCode == HttpStatusCode.OK, $"PUT /assets/{key}: {(int)put.StatusCode}\n{body}");
        using var committed = JsonDocument.Parse(body);
        var txId = committed.RootElement.GetProperty("TxId").GetString()!;
        Assert.Matches("^[0-9a-f]{64}$", txId);
        return (txId, committed.RootElement.GetProperty("Block").GetUInt64());
    }

    /// <summary>One server-sent event, with the events the stream delivered before it.</summary>
    private sealed record ServerEvent(string Id, string Name, string Data)
    {
        public IReadOnlyList<ServerEvent> Before { get; init; } = [];
    }

    /// <summary>Opens the event stream at <paramref name="uri"/> and reads it until the event whose data names <paramref name="txId"/>.</summary>
    private static async Task<ServerEvent> ReadUntilAsync(HttpClient http, string uri, string? lastEventId, string txId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(uri, UriKind.Relative));
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        using var cts = new CancellationTokenSource(Bound);
        var before = new List<ServerEvent>();
        var stage = "waiting for the response headers";
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
            stage = "reading the stream";
            return await ReadUntilAsync(response, uri, txId, before, cts.Token);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            Assert.Fail($"GET {uri}: no event of {txId} within {Bound.TotalSeconds}s ({stage}; {before.Count} other events: {string.Join(", ", before.Select(e => e.Id))})");
            throw;
        }
    }

    private static async Task<ServerEvent> ReadUntilAsync(HttpResponseMessage response, string uri, string txId, List<ServerEvent> before, CancellationToken cancellationToken)
    {
        if (response.StatusCode != HttpStatusCode.OK)
        {
            // Read only a refusal's body: an event stream's never ends.
            Assert.Fail($"GET {uri}: {(int)response.StatusCode}\n{await response.Content.ReadAsStringAsync(cancellationToken)}");
        }

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        string id = "", name = "", data = "";
        // server-sent events: "id:", "event:", "data:" lines, then a blank line.
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length > 0)
            {
                var colon = line.IndexOf(": ", StringComparison.Ordinal);
                var (field, text) = colon < 0 ? (line, "") : (line[..colon], line[(colon + 2)..]);
                switch (field)
                {
                    case "id": id = text; break;
                    case "event": name = text; break;
                    case "data": data = text; break;
                }

                continue;
            }

            var e = new ServerEvent(id, name, data);
            using (var json = JsonDocument.Parse(data))
            {
                if (json.RootElement.GetProperty("TxId").GetString() == txId)
                {
                    return e with { Before = before };
                }
            }

            before.Add(e);
            (id, name, data) = ("", "", "");
        }

        Assert.Fail($"GET {uri}: the stream ended before the event of {txId} ({before.Count} events before)");
        return null!;
    }

    [GeneratedRegex(@"^submitted (?<tx>[0-9a-f]{64}) VALID block (?<block>\d+)$", RegexOptions.Multiline)]
    private static partial Regex SubmittedLine();
}
