using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FabricInvoke.DevNet.Crypto;
using FabricInvoke.DevNet.Validation;

namespace FabricInvoke.DevNet.Tests;

/// <summary>
/// Peers of one network share what they verified: a signature verified once is accepted again at once, and nothing
/// that was not verified is accepted because of it.
/// </summary>
public sealed class SharedVerificationTests
{
    [Fact]
    public void Only_the_exact_signature_verified_before_is_taken_from_the_cache()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=User1@org1.example.com", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var member = new ChannelMember("Org1MSP", certificate, certificate, IsApplicationOrg: true);
        var identity = new VerifiedIdentity(member, certificate, key, "client");
        var data = "a proposal"u8.ToArray();
        var good = EcdsaSignatures.Sign(key, data);

        Assert.True(identity.Verify(data, good));
        Assert.True(identity.Verify(data, good));

        // The same numbers with S above half the order verify mathematically; Fabric (and DevNet) refuse them.
        Assert.False(identity.Verify(data, EcdsaSignatures.ToHighS(good)));
        Assert.False(identity.Verify("another proposal"u8, good));
        var tampered = (byte[])good.Clone();
        tampered[^1] ^= 1;
        Assert.False(identity.Verify(data, tampered));
        Assert.True(identity.Verify(data, EcdsaSignatures.Sign(key, data)));
    }
}
