using FabricInvoke.DevNet.Tests.Infrastructure;

namespace FabricInvoke.DevNet.Tests;

/// <summary>
/// A Fabric peer (grpc-go) sets no limit on concurrent streams per connection, so a client may keep more than 100
/// deliver streams (or endorsements) open on one connection; DevNet must serve them all, not queue the 101st.
/// </summary>
public sealed class StreamLimitTests(DevNetFixture fixture) : IClassFixture<DevNetFixture>
{
    [Fact]
    public async Task One_connection_gets_150_concurrent_deliver_streams_each_answered()
    {
        using var client = fixture.Client();
        var peer = fixture.Network.Peers[0];
        var sessions = new List<DeliverSession>();
        try
        {
            // The client's one HTTP/2 connection to the peer carries every stream; each is opened and left open.
            for (var i = 0; i < 150; i++)
            {
                sessions.Add(await client.DeliverAsync(peer).WaitAsync(DevNetFixture.Bound));
            }

            var first = await Task.WhenAll(sessions.Select(s => s.NextAsync())).WaitAsync(DevNetFixture.Bound);

            Assert.All(first, r => Assert.NotNull(r));
        }
        finally
        {
            foreach (var session in sessions)
            {
                session.Dispose();
            }
        }
    }
}
