using System.Text;
using FabricInvoke.Core;

namespace FabricInvoke.Client.Tests;

/// <summary>An identity and a signer given as PEM (no MSP folder): ECDSA P-256 and Ed25519 both commit.</summary>
public sealed class SignerTests : IClassFixture<DevNetFixture>
{
    private readonly DevNetFixture _net;

    public SignerTests(DevNetFixture net)
    {
        _net = net;
    }

    public static TheoryData<string> Kinds => ["ecdsa", "ed25519"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_client_from_a_PEM_certificate_and_a_PEM_key_submits_and_evaluates(string kind)
    {
        var user = kind == "ed25519" ? _net.Network.CreateEd25519Identity(1) : _net.Network.User(1);
        var identity = ClientIdentity.FromPem(user.MspId, await File.ReadAllTextAsync(Directory.GetFiles(Path.Combine(user.MspDirectory, "signcerts"))[0]));
        var signer = Signers.FromPem(await File.ReadAllTextAsync(Directory.GetFiles(Path.Combine(user.MspDirectory, "keystore"))[0]));
        try
        {
            await using var client = FabricClient.Create(new FabricClientOptions
            {
                Identity = identity,
                Signer = signer,
                Peers = _net.PeerEndpoints,
                Orderers = _net.OrdererEndpoints,
            });
            var contract = client.GetNetwork(_net.Network.ChannelId).GetContract("basic");
            var key = $"pem-{kind}-{Guid.NewGuid():N}";

            await contract.SubmitAsync("Put", [key, kind]).WaitAsync(TimeSpan.FromMinutes(2));
            Assert.Equal(kind, Encoding.UTF8.GetString(await contract.EvaluateAsync("Get", [key]).WaitAsync(TimeSpan.FromMinutes(2))));
            Assert.Equal(user.MspId, client.Identity.MspId);
        }
        finally
        {
            ((IDisposable)signer).Dispose();
        }
    }
}
