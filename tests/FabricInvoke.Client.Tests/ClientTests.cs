using System.Diagnostics;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using FabricInvoke.Core;
using FabricInvoke.Core.Errors;
using Grpc.Net.Client;
using TxValidationCode = FabricInvoke.Protos.Peer.TxValidationCode;

namespace FabricInvoke.Client.Tests;

/// <summary>The gateway-style client API against DevNet (real sockets, TLS), through the public API only.</summary>
public sealed class ClientTests : IClassFixture<DevNetFixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(3);
    private readonly DevNetFixture _net;

    public ClientTests(DevNetFixture net)
    {
        _net = net;
        _net.Network.ClearFaults();
    }

    private static string Key(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    [Fact]
    public async Task Hundred_concurrent_submits_through_one_client_all_commit_valid_with_distinct_txids_and_leave_no_stream_open()
    {
        var unobserved = 0;
        void Count(object? sender, UnobservedTaskExceptionEventArgs e) => Interlocked.Increment(ref unobserved);
        TaskScheduler.UnobservedTaskException += Count;
        try
        {
            using var user = _net.User();
            var streams = new StreamCounter();
            var peerChannels = _net.Network.Peers.Select(p => CallerChannel(p.Address, p.TlsRootCertFile, streams)).ToList();
            var ordererChannel = CallerChannel(_net.Network.Orderer.Address, _net.Network.Orderer.TlsRootCertFile, streams);
            try
            {
                var options = new FabricClientOptions
                {
                    Identity = user.Identity,
                    Signer = user,
                    Peers = _net.Network.Peers.Select((p, i) => new FabricEndpoint { Address = p.Address, Channel = peerChannels[i] }).ToList(),
                    Orderers = [new FabricEndpoint { Address = _net.Network.Orderer.Address, Channel = ordererChannel }],
                    CommitStatusTimeout = TimeSpan.FromSeconds(120),
                };
                var prefix = Key("many");
                await using (var client = FabricClient.Create(options))
                {
                    var contract = client.GetNetwork(_net.Network.ChannelId).GetContract("basic");
                    var submits = Enumerable.Range(0, 100).Select(async i =>
                    {
                        var transaction = await contract.NewProposal("Put", new ProposalOptions { Arguments = [Encoding.UTF8.GetBytes($"{prefix}-{i}"), Encoding.UTF8.GetBytes($"v{i}")] }).EndorseAsync();
                        using var commit = await transaction.SubmitAsync();
                        var status = await commit.GetStatusAsync();
                        return (transaction.TxId, status, Result: Encoding.UTF8.GetString(transaction.Result));
                    }).ToList();
                    var results = await Task.WhenAll(submits).WaitAsync(Bound);

                    Assert.All(results, r => Assert.True(r.status.IsSuccessful));
                    Assert.All(results, r => Assert.Equal(TxValidationCode.Valid, r.status.Code));
                    Assert.All(results, r => Assert.Equal(2, r.status.Commits.Count));
                    Assert.Equal(100, results.Select(r => r.TxId).Distinct(StringComparer.Ordinal).Count());
                    Assert.Equal(Enumerable.Range(0, 100).Select(i => $"v{i}"), results.Select(r => r.Result));
                    Assert.Equal("v57", Encoding.UTF8.GetString(await contract.EvaluateAsync("Get", [$"{prefix}-57"]).WaitAsync(Bound)));
                }

                // Every call and stream the client opened is closed, and the caller's channels were left open: a
                // second client over them still works.
                Assert.Equal(0, streams.Open);
                Assert.True(streams.Opened > 200, $"only {streams.Opened} calls were counted");
                await using (var again = FabricClient.Create(options))
                {
                    var value = await again.GetNetwork(_net.Network.ChannelId).GetContract("basic").EvaluateAsync("Get", [$"{prefix}-3"]).WaitAsync(Bound);
                    Assert.Equal("v3", Encoding.UTF8.GetString(value));
                }

                Assert.Equal(0, streams.Open);
            }
            finally
            {
                peerChannels.ForEach(c => c.Dispose());
                ordererChannel.Dispose();
            }

            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            Assert.Equal(0, Volatile.Read(ref unobserved));
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= Count;
        }
    }

    [Theory]
    [InlineData(SubmitPath.Direct)]
    [InlineData(SubmitPath.Gateway)]
    public async Task Submit_then_evaluate_returns_the_value_and_the_chaincode_event_arrives_with_a_checkpoint_to_resume_from(SubmitPath path)
    {
        using var user = _net.User();
        await using var client = FabricClient.Create(_net.Options(user, path));
        var network = client.GetNetwork(_net.Network.ChannelId);
        var contract = network.GetContract("basic");
        var height = _net.Network.Peers[0].Height;
        var first = Key("ev1");
        var second = Key("ev2");

        Assert.Equal("one", Encoding.UTF8.GetString(await contract.SubmitAsync("Put", [first, "one"]).WaitAsync(Bound)));
        Assert.Equal("two", Encoding.UTF8.GetString(await contract.SubmitAsync("Put", [second, "two"]).WaitAsync(Bound)));
        Assert.Equal("one", Encoding.UTF8.GetString(await contract.EvaluateAsync("Get", [first]).WaitAsync(Bound)));

        using var stop = new CancellationTokenSource(Bound);
        ChaincodeEvent? firstEvent = null;
        await foreach (var e in network.ChaincodeEventsAsync("basic", startBlock: height, cancellationToken: stop.Token))
        {
            if (Encoding.UTF8.GetString(e.Payload) == first)
            {
                firstEvent = e;
                break;
            }
        }

        Assert.NotNull(firstEvent);
        Assert.Equal("Put", firstEvent.EventName);
        Assert.Equal("basic", firstEvent.ChaincodeName);

        // Resuming after the first event's checkpoint gives the second next (from any block the first left off).
        await foreach (var e in network.ChaincodeEventsAsync("basic", after: firstEvent.Checkpoint, cancellationToken: stop.Token))
        {
            Assert.NotEqual(first, Encoding.UTF8.GetString(e.Payload));
            if (Encoding.UTF8.GetString(e.Payload) == second)
            {
                break;
            }
        }
    }

    [Fact]
    public async Task Block_events_report_the_submitted_transaction_valid()
    {
        using var user = _net.User();
        await using var client = FabricClient.Create(_net.Options(user));
        var network = client.GetNetwork(_net.Network.ChannelId);
        var height = _net.Network.Peers[0].Height;
        var transaction = await network.GetContract("basic").NewProposal("Put", new ProposalOptions { Arguments = [Encoding.UTF8.GetBytes(Key("blk")), "x"u8.ToArray()] }).EndorseAsync().WaitAsync(Bound);
        using var commit = await transaction.SubmitAsync().WaitAsync(Bound);
        var status = await commit.GetStatusAsync().WaitAsync(Bound);

        using var stop = new CancellationTokenSource(Bound);
        await foreach (var block in network.BlockEventsAsync(height, stop.Token))
        {
            if (block.Transactions.FirstOrDefault(t => t.TxId == transaction.TxId) is { } tx)
            {
                Assert.True(tx.IsValid);
                Assert.Equal(status.BlockNumber, block.Number);
                return;
            }
        }

        Assert.Fail("the stream ended without the transaction");
    }

    [Fact]
    public async Task Offline_signing_digest_out_signature_in_commits_through_the_gateway()
    {
        using var user = _net.User();
        var keyFile = Directory.GetFiles(Path.Combine(_net.Network.User(1).MspDirectory, "keystore"))[0];
        using var elsewhere = (IDisposable)Signers.FromPem(File.ReadAllText(keyFile));
        var offline = _net.Options(user, SubmitPath.Gateway);
        await using var client = FabricClient.Create(new FabricClientOptions
        {
            Identity = user.Identity,
            Peers = offline.Peers,
            Path = SubmitPath.Gateway,
        });
        var network = client.GetNetwork(_net.Network.ChannelId);
        var key = Key("offline");

        var unsigned = network.GetContract("basic").NewProposal("Put", new ProposalOptions { Arguments = [Encoding.UTF8.GetBytes(key), "signed-elsewhere"u8.ToArray()] });
        Assert.False(unsigned.IsSigned);
        await Assert.ThrowsAsync<InvalidOperationException>(() => unsigned.EndorseAsync());

        // The bytes travel to the signer and back, as across processes.
        var signed = network.NewSignedProposal(unsigned.Bytes, ((ISigner)elsewhere).Sign(unsigned.Bytes));
        Assert.Equal(unsigned.TxId, signed.TxId);
        var endorsed = await signed.EndorseAsync().WaitAsync(Bound);
        await Assert.ThrowsAsync<InvalidOperationException>(() => endorsed.SubmitAsync());
        using var commit = await endorsed.WithSignature(((ISigner)elsewhere).Sign(endorsed.Bytes)).SubmitAsync().WaitAsync(Bound);

        // This client cannot sign the commit-status request; a signing client sees the transaction committed.
        await Assert.ThrowsAsync<InvalidOperationException>(() => commit.GetStatusAsync());
        await using var reader = FabricClient.Create(_net.Options(user));
        using var stop = new CancellationTokenSource(Bound);
        await foreach (var e in reader.GetNetwork(_net.Network.ChannelId).ChaincodeEventsAsync("basic", startBlock: 0, cancellationToken: stop.Token))
        {
            if (e.TxId == commit.TxId)
            {
                Assert.Equal(key, Encoding.UTF8.GetString(e.Payload));
                break;
            }
        }

        Assert.Equal("signed-elsewhere", Encoding.UTF8.GetString(await reader.GetNetwork(_net.Network.ChannelId).GetContract("basic").EvaluateAsync("Get", [key]).WaitAsync(Bound)));
    }

    [Fact]
    public async Task Offline_signing_from_bytes_only_rebuilds_the_proposal_and_the_transaction_and_commits_directly()
    {
        // "Another process": only bytes go to it and only a signature comes back; it holds the key, the clients do not
        // sign the proposal or the transaction (the submitting client signs only its deliver requests).
        var keyFile = Directory.GetFiles(Path.Combine(_net.Network.User(1).MspDirectory, "keystore"))[0];
        using var elsewhere = (IDisposable)Signers.FromPem(File.ReadAllText(keyFile));
        byte[] SignElsewhere(byte[] bytes) => ((ISigner)elsewhere).Sign(bytes.ToArray());

        using var user = _net.User();
        var key = Key("bytes");
        byte[] proposalBytes;
        string txId;
        await using (var builder = FabricClient.Create(new FabricClientOptions { Identity = user.Identity, Peers = _net.PeerEndpoints }))
        {
            var unsigned = builder.GetNetwork(_net.Network.ChannelId).GetContract("basic")
                .NewProposal("Put", new ProposalOptions { Arguments = [Encoding.UTF8.GetBytes(key), "from-bytes"u8.ToArray()] });
            Assert.False(unsigned.IsSigned);
            (proposalBytes, txId) = (unsigned.Bytes, unsigned.TxId);
        }

        await using var client = FabricClient.Create(_net.Options(user));
        var network = client.GetNetwork(_net.Network.ChannelId);
        var endorsed = await network.NewSignedProposal(proposalBytes, SignElsewhere(proposalBytes)).EndorseAsync().WaitAsync(Bound);
        Assert.Equal(txId, endorsed.TxId);

        var transactionBytes = endorsed.Bytes;
        var rebuilt = network.NewSignedTransaction(transactionBytes, SignElsewhere(transactionBytes));
        Assert.Equal(txId, rebuilt.TxId);
        Assert.Equal(transactionBytes, rebuilt.Bytes);
        Assert.Equal(endorsed.Result, rebuilt.Result);
        using var commit = await rebuilt.SubmitAsync().WaitAsync(Bound);
        var status = await commit.GetStatusAsync().WaitAsync(Bound);

        Assert.Equal(TxValidationCode.Valid, status.Code);
        Assert.Equal(txId, status.TxId);
        Assert.Equal("from-bytes", Encoding.UTF8.GetString(await network.GetContract("basic").EvaluateAsync("Get", [key]).WaitAsync(Bound)));
        Assert.Throws<ArgumentException>(() => network.NewSignedTransaction(proposalBytes, SignElsewhere(proposalBytes)));
        Assert.Throws<ArgumentException>(() => client.GetNetwork("otherchannel").NewSignedTransaction(transactionBytes, SignElsewhere(transactionBytes)));
    }

    [Theory]
    [InlineData(SubmitPath.Direct)]
    [InlineData(SubmitPath.Gateway)]
    public async Task Stopping_an_event_stream_with_its_token_ends_it_in_a_cancellation_whatever_gRPC_reports(SubmitPath path)
    {
        using var user = _net.User();
        await using var client = FabricClient.Create(_net.Options(user, path));
        var network = client.GetNetwork(_net.Network.ChannelId);
        for (var round = 0; round < 5; round++)
        {
            // Stopped while a read is under way (no event is coming): the caller sees the cancellation it asked for.
            using var stop = new CancellationTokenSource();
            var blocks = Task.Run(async () =>
            {
                await foreach (var block in network.BlockEventsAsync(cancellationToken: stop.Token))
                {
                    _ = block;
                }
            });
            var events = Task.Run(async () =>
            {
                await foreach (var e in network.ChaincodeEventsAsync("basic", cancellationToken: stop.Token))
                {
                    _ = e;
                }
            });
            await Task.Delay(TimeSpan.FromMilliseconds(100 * round));
            await stop.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => blocks.WaitAsync(Bound));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => events.WaitAsync(Bound));
        }
    }

    [Fact]
    public async Task A_transaction_endorsed_by_too_few_organisations_fails_its_commit_with_the_validation_code()
    {
        using var user = _net.User();
        await using var client = FabricClient.Create(_net.Options(user) with { Peers = [_net.PeerEndpoints[0]] });
        var contract = client.GetNetwork(_net.Network.ChannelId).GetContract("basic");

        var e = await Assert.ThrowsAsync<CommitException>(() => contract.SubmitAsync("Put", [Key("policy"), "v"]).WaitAsync(Bound));
        Assert.Equal(TxValidationCode.EndorsementPolicyFailure, e.ValidationCode);
        Assert.NotNull(e.TxId);
        Assert.NotNull(e.BlockNumber);
        Assert.False(e.MayHaveCommitted);
        Assert.Equal(FailureKind.Invalidated, e.Kind);
    }

    [Fact]
    public async Task An_unreachable_orderer_is_a_submit_exception_that_cannot_have_committed()
    {
        var port = ClosedPort();
        using var user = _net.User();
        await using var client = FabricClient.Create(_net.Options(user) with
        {
            Orderers = [new FabricEndpoint { Address = $"127.0.0.1:{port}", TlsRootCertificateFile = _net.Network.Orderer.TlsRootCertFile }],
            ConnectTimeout = TimeSpan.FromSeconds(2),
        });
        var contract = client.GetNetwork(_net.Network.ChannelId).GetContract("basic");

        var e = await Assert.ThrowsAsync<SubmitException>(() => contract.SubmitAsync("Put", [Key("orderer"), "v"]).WaitAsync(Bound));
        Assert.Equal($"127.0.0.1:{port}", e.Target);
        Assert.NotNull(e.TxId);
        Assert.False(e.MayHaveCommitted);
    }

    [Fact]
    public async Task A_direct_client_without_orderers_evaluates_but_refuses_to_submit_in_library_terms()
    {
        using var user = _net.User();
        await using var client = FabricClient.Create(_net.Options(user) with { Orderers = [] });
        var contract = client.GetNetwork(_net.Network.ChannelId).GetContract("basic");
        var transaction = await contract.NewProposal("Put", new ProposalOptions { Arguments = ["no-orderer"u8.ToArray(), "v"u8.ToArray()] }).EndorseAsync().WaitAsync(Bound);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => transaction.SubmitAsync());
        Assert.Contains("FabricClientOptions.Orderers", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("--orderer", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SubmitPath.Direct)]
    [InlineData(SubmitPath.Gateway)]
    public async Task A_chaincode_error_is_an_endorse_exception_naming_the_status(SubmitPath path)
    {
        using var user = _net.User();
        await using var client = FabricClient.Create(_net.Options(user, path));
        var contract = client.GetNetwork(_net.Network.ChannelId).GetContract("basic");

        var e = await Assert.ThrowsAsync<EndorseException>(() => contract.SubmitAsync("Fail", ["no such luck"]).WaitAsync(Bound));
        Assert.Contains("no such luck", e.Message, StringComparison.Ordinal);
        Assert.False(e.MayHaveCommitted);
        Assert.NotNull(e.TxId);
        var evaluated = await Assert.ThrowsAsync<EndorseException>(() => contract.EvaluateAsync("Fail", ["nor here"]).WaitAsync(Bound));
        Assert.Contains("nor here", evaluated.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_stage_is_a_span_of_the_FabricInvoke_activity_source_tagged_with_the_txid()
    {
        var spans = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == FabricClient.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                lock (spans)
                {
                    spans.Add(a);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        using var user = _net.User();
        await using var client = FabricClient.Create(_net.Options(user));
        var transaction = await client.GetNetwork(_net.Network.ChannelId).GetContract("basic").NewProposal("Put", new ProposalOptions { Arguments = [Encoding.UTF8.GetBytes(Key("span")), "v"u8.ToArray()] }).EndorseAsync().WaitAsync(Bound);
        using var commit = await transaction.SubmitAsync().WaitAsync(Bound);
        await commit.GetStatusAsync().WaitAsync(Bound);

        List<Activity> mine;
        lock (spans)
        {
            mine = spans.Where(s => (string?)s.GetTagItem("fabric.txid") == transaction.TxId).ToList();
        }

        Assert.Equal(["Endorse", "Submit", "CommitStatus"], mine.Select(s => s.OperationName));
        Assert.All(mine, s => Assert.Equal(_net.Network.ChannelId, s.GetTagItem("fabric.channel")));
        Assert.All(mine, s => Assert.Equal("basic", s.GetTagItem("fabric.chaincode")));
        Assert.Equal(_net.Network.Orderer.Address, mine[1].GetTagItem("fabric.endpoint"));
    }

    private static int ClosedPort()
    {
        var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>A channel the test owns, over TLS to DevNet's root, counting the calls that are open.</summary>
    private static GrpcChannel CallerChannel(string address, string tlsRootFile, StreamCounter streams)
    {
        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(tlsRootFile);
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.AddRange(roots);
        var sockets = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions { TargetHost = address.Split(':')[0], CertificateChainPolicy = policy },
        };
        return GrpcChannel.ForAddress($"https://{address}", new GrpcChannelOptions { HttpHandler = new CountingHandler(sockets, streams), DisposeHttpClient = true });
    }

    /// <summary>Calls started and calls whose response is not yet disposed (an open stream or an unfinished call).</summary>
    private sealed class StreamCounter
    {
        private int _open;
        private int _opened;

        public int Open => Volatile.Read(ref _open);

        public int Opened => Volatile.Read(ref _opened);

        public void Started()
        {
            Interlocked.Increment(ref _open);
            Interlocked.Increment(ref _opened);
        }

        public void Ended() => Interlocked.Decrement(ref _open);
    }

    private sealed class CountingHandler(HttpMessageHandler inner, StreamCounter streams) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            streams.Started();
            HttpResponseMessage response;
            try
            {
                response = await base.SendAsync(request, cancellationToken);
            }
            catch
            {
                streams.Ended();
                throw;
            }

            response.Content = new CountedContent(response.Content, streams);
            return response;
        }
    }

    /// <summary>The response body, counted until grpc-dotnet disposes it (the end of the call).</summary>
    private sealed class CountedContent : HttpContent
    {
        private readonly HttpContent _inner;
        private readonly StreamCounter _streams;
        private int _ended;

        public CountedContent(HttpContent inner, StreamCounter streams)
        {
            _inner = inner;
            _streams = streams;
            foreach (var header in inner.Headers)
            {
                Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => _inner.CopyToAsync(stream);

        protected override Task<Stream> CreateContentReadStreamAsync() => _inner.ReadAsStreamAsync();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing && Interlocked.Exchange(ref _ended, 1) == 0)
            {
                _inner.Dispose();
                _streams.Ended();
            }

            base.Dispose(disposing);
        }
    }
}
