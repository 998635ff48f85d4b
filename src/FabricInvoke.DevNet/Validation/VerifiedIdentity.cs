using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FabricInvoke.DevNet.Crypto;

namespace FabricInvoke.DevNet.Validation;

/// <summary>A creator or endorser whose certificate chains to its org's CA and is within its validity period.</summary>
internal sealed class VerifiedIdentity(ChannelMember member, X509Certificate2 certificate, ECDsa publicKey, string role)
{
    // ECDsa instances are not documented as thread-safe; identities are cached and shared by concurrent requests.
    private readonly Lock _keyGate = new();

    public ChannelMember Member { get; } = member;

    public string MspId => Member.MspId;

    /// <summary>The NodeOU of the certificate: client, peer, admin or orderer (empty when none).</summary>
    public string Role { get; } = role;

    public X509Certificate2 Certificate { get; } = certificate;

    /// <summary>True when the certificate is valid at <paramref name="now"/>.</summary>
    public bool IsCurrent(DateTimeOffset now) => now >= Certificate.NotBefore.ToUniversalTime() && now <= Certificate.NotAfter.ToUniversalTime();

    /// <summary>Fabric's identity Verify: ECDSA P-256 over SHA-256, DER, low-S.</summary>
    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        lock (_keyGate)
        {
            return EcdsaSignatures.Verify(publicKey, data, signature);
        }
    }
}
