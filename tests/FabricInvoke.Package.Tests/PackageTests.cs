using FabricInvoke.DevNet;

namespace FabricInvoke.Package.Tests;

/// <summary>
/// The packed FabricInvoke.Core package as a library user gets it (<see cref="PackedLibrary"/>: the feed .ci/run packed,
/// or packed here), against a DevNet over TLS: the consumer program and the sample service, each on the direct path
/// and through the peer Gateway. The same checks run on real Fabric 2.4.9 in tests/FabricInvoke.RealFabric.Tests.
/// </summary>
public sealed class PackageTests : IClassFixture<PackageTests.DevNetFixture>
{
    private readonly DevNetFixture _net;

    public PackageTests(DevNetFixture net)
    {
        _net = net;
    }

    [Theory]
    [InlineData("Direct")]
    [InlineData("Gateway")]
    public Task A_consumer_of_the_packed_library_submits_evaluates_and_follows_chaincode_and_block_events_from_checkpoints(string path) =>
        PackedLibraryChecks.ConsumerSubmitsEvaluatesAndFollowsEvents(_net.Target, path);

    [Theory]
    [InlineData("Direct")]
    [InlineData("Gateway")]
    public Task The_sample_built_from_the_package_submits_evaluates_and_streams_events_over_http(string path) =>
        PackedLibraryChecks.SampleServesSubmitEvaluateAndEvents(_net.Target, path);

    /// <summary>One DevNet for the class, in the run's folder.</summary>
    public sealed class DevNetFixture : IAsyncLifetime
    {
        private DevNetwork? _network;

        public FabricTarget Target { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            _network = await DevNetwork.StartAsync(new DevNetOptions { Directory = Path.Combine(PackedLibrary.Work, "devnet-" + Guid.NewGuid().ToString("N")[..8]) })
                .WaitAsync(TimeSpan.FromSeconds(60));
            var user = _network.User(1);
            Target = new FabricTarget(_network.ChannelId, "basic", user.MspId, user.MspDirectory,
                _network.Peers.Select(p => new FabricNode(p.Address, p.TlsRootCertFile)).ToList(),
                [new FabricNode(_network.Orderer.Address, _network.Orderer.TlsRootCertFile)]);
        }

        public async Task DisposeAsync()
        {
            if (_network is not null)
            {
                await _network.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            }

            // The DevNet's folder is in it: removed after the network stopped.
            PackedLibrary.DeleteWork();
        }
    }
}
