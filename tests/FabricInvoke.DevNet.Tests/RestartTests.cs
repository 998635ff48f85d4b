using FabricInvoke.DevNet.Tests.Infrastructure;
using FabricInvoke.Protos.Peer;

namespace FabricInvoke.DevNet.Tests;

public sealed class RestartTests
{
    [Fact]
    public async Task Second_start_on_the_same_directory_reuses_crypto_material_and_ledger()
    {
        var directory = Path.Combine(Path.GetTempPath(), "fabinvoke-devnet-restart-" + Guid.NewGuid().ToString("N"));
        try
        {
            string certificate;
            ulong height;
            await using (var first = await DevNetwork.StartAsync(new DevNetOptions { Directory = directory }).WaitAsync(DevNetFixture.Bound))
            {
                using var client = new Client(first, first.User(1), presentClientCertificate: false);
                await client.InvokeAsync(["Put", "durable", "1"]);
                certificate = File.ReadAllText(Path.Combine(first.User(1).MspDirectory, "signcerts", "User1@org1.example.com-cert.pem"));
                height = first.Peers[0].Height;
                Assert.EndsWith("-----END CERTIFICATE-----\n", certificate, StringComparison.Ordinal);
            }

            await using var second = await DevNetwork.StartAsync(new DevNetOptions { Directory = directory }).WaitAsync(DevNetFixture.Bound);
            Assert.Equal(certificate, File.ReadAllText(Path.Combine(second.User(1).MspDirectory, "signcerts", "User1@org1.example.com-cert.pem")));
            // Every block kept, plus the config block naming the endpoints' new ports.
            Assert.All(second.Peers, p => Assert.Equal(height + 1, p.Height));
            using var again = new Client(second, second.User(1), presentClientCertificate: false);
            var get = await again.EndorseAllAsync(again.Propose(["Get", "durable"]));
            Assert.All(get, r => Assert.Equal("1", r.Response.Payload.ToStringUtf8()));
            var incr = await again.InvokeAsync(["Incr", "durable"]);
            Assert.All(incr.Verdicts, v => Assert.Equal(TxValidationCode.Valid, v.TxValidationCode));
        }
        finally
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    [Fact]
    public async Task Stopping_cuts_what_the_orderer_accepted_into_a_last_block_instead_of_dropping_it()
    {
        var directory = Path.Combine(Path.GetTempPath(), "fabinvoke-devnet-drain-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using (var first = await DevNetwork.StartAsync(new DevNetOptions { Directory = directory, BatchTimeout = TimeSpan.FromMinutes(10) }).WaitAsync(DevNetFixture.Bound))
            {
                using var client = new Client(first, first.User(1), presentClientCertificate: false);
                var proposal = client.Propose(["Put", "accepted", "kept"]);
                var answer = Assert.Single(await client.BroadcastAsync(client.Transaction(proposal, await client.EndorseAllAsync(proposal))));
                Assert.Equal(FabricInvoke.Protos.Common.Status.Success, answer.Status);
                Assert.Equal(1ul, first.Orderer.Height);
            }

            await using var second = await DevNetwork.StartAsync(new DevNetOptions { Directory = directory }).WaitAsync(DevNetFixture.Bound);
            // The drained block, then the config block for the new ports and batch timeout.
            Assert.Equal(3ul, second.Orderer.Height);
            using var again = new Client(second, second.User(1), presentClientCertificate: false);
            var get = await again.EndorseAllAsync(again.Propose(["Get", "accepted"]));
            Assert.All(get, r => Assert.Equal("kept", r.Response.Payload.ToStringUtf8()));
        }
        finally
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    [Fact]
    public async Task Dispose_ends_open_deliver_streams_promptly()
    {
        var directory = Path.Combine(Path.GetTempPath(), "fabinvoke-devnet-dispose-" + Guid.NewGuid().ToString("N"));
        try
        {
            var network = await DevNetwork.StartAsync(new DevNetOptions { Directory = directory }).WaitAsync(DevNetFixture.Bound);
            using var client = new Client(network, network.User(1), presentClientCertificate: false);
            using var deliver = await client.DeliverAsync(network.Peers[0]);
            await deliver.NextAsync();
            var pending = deliver.NextAsync();
            var started = System.Diagnostics.Stopwatch.GetTimestamp();

            await network.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

            Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(5));
            try
            {
                Assert.Null(await pending);
            }
            catch (Grpc.Core.RpcException)
            {
                // A reset stream is as good as an ended one here: what matters is that it did not hang.
            }
        }
        finally
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    [Fact]
    public async Task Crypto_tree_has_the_cryptogen_layout()
    {
        var directory = Path.Combine(Path.GetTempPath(), "fabinvoke-devnet-tree-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var network = await DevNetwork.StartAsync(new DevNetOptions { Directory = directory, Orgs = 3 }).WaitAsync(DevNetFixture.Bound);
            var org2 = Path.Combine(network.OrganizationsDirectory, "peerOrganizations", "org2.example.com");
            foreach (var file in new[]
            {
                "ca/ca.org2.example.com-cert.pem", "tlsca/tlsca.org2.example.com-cert.pem", "msp/config.yaml",
                "msp/cacerts/ca.org2.example.com-cert.pem", "msp/tlscacerts/tlsca.org2.example.com-cert.pem",
                "peers/peer0.org2.example.com/msp/signcerts/peer0.org2.example.com-cert.pem",
                "peers/peer0.org2.example.com/msp/keystore/priv_sk",
                "peers/peer0.org2.example.com/tls/server.crt", "peers/peer0.org2.example.com/tls/server.key", "peers/peer0.org2.example.com/tls/ca.crt",
                "users/User1@org2.example.com/tls/client.crt", "users/Admin@org2.example.com/msp/signcerts/Admin@org2.example.com-cert.pem",
            })
            {
                Assert.True(File.Exists(Path.Combine(org2, file)), file);
            }

            Assert.True(File.Exists(Path.Combine(network.OrganizationsDirectory, "ordererOrganizations", "example.com", "orderers", "orderer.example.com", "tls", "server.crt")));
            Assert.StartsWith("-----BEGIN PRIVATE KEY-----\n", File.ReadAllText(Path.Combine(org2, "users/User1@org2.example.com/msp/keystore/priv_sk")), StringComparison.Ordinal);
            Assert.Equal("Org3MSP", network.Peers[2].MspId);
            Assert.Equal("peer0.org3.example.com", network.Peers[2].Name);

            // Three orgs: MAJORITY needs two.
            using var client = new Client(network, network.User(3), presentClientCertificate: false);
            var twoOfThree = await client.InvokeAsync(["Put", "maj", "v"], endorsers: network.Peers.Take(2));
            Assert.All(twoOfThree.Verdicts, v => Assert.Equal(TxValidationCode.Valid, v.TxValidationCode));
        }
        finally
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
