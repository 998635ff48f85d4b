using System.Text;
using FabricInvoke.DevNet.Tests.Infrastructure;
using FabricInvoke.Protos.Peer;

namespace FabricInvoke.DevNet.Tests;

public sealed class HealthyPathTests(DevNetFixture fixture) : IClassFixture<DevNetFixture>
{
    [Fact]
    public async Task Put_is_endorsed_by_both_orgs_and_committed_valid_on_both_peers()
    {
        var client = fixture.Client();

        var outcome = await client.InvokeAsync(["Put", "k1", "v1"]);

        Assert.All(outcome.Responses, r =>
        {
            Assert.Equal(1, r.Version);
            Assert.Equal(200, r.Response.Status);
            Assert.Equal("v1", r.Response.Payload.ToStringUtf8());
            Assert.NotNull(r.Endorsement);
        });
        Assert.Equal(outcome.Responses[0].Payload, outcome.Responses[1].Payload);
        Assert.All(outcome.Verdicts, v =>
        {
            Assert.Equal(TxValidationCode.Valid, v.TxValidationCode);
            var action = Assert.Single(v.TransactionActions.ChaincodeActions);
            Assert.Equal("Put", action.ChaincodeEvent.EventName);
            Assert.Equal("basic", action.ChaincodeEvent.ChaincodeId);
            Assert.Equal(outcome.TxId, action.ChaincodeEvent.TxId);
            Assert.True(action.ChaincodeEvent.Payload.IsEmpty);
        });

        var get = await client.EndorseAllAsync(client.Propose(["Get", "k1"]));
        Assert.All(get, r => Assert.Equal("v1", Encoding.UTF8.GetString(r.Response.Payload.Span)));
    }
}
