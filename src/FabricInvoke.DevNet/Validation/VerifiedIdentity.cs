using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FabricInvoke.DevNet.Crypto;

namespace FabricInvoke.DevNet.Validation;

/// <summary>
/// A creator or endorser whose certificate chains to its org's CA and is within its validity period. Identities are
/// shared by every node of the network, so a signature that one peer has verified (a client's proposal, an endorsement
/// in a block) is not verified again by the other peers of the same process: every peer still checks every signature,
/// but the network's own CPU no longer grows with peers × signatures (on a real network each peer has its own
/// machine; here they share the client's cores).
/// </summary>
/// <remarks>The key is ECDSA P-256 (<paramref name="publicKey"/>) or Ed25519 (<paramref name="ed25519PublicKey"/>, Fabric 3).</remarks>
internal sealed class VerifiedIdentity(ChannelMember member, X509Certificate2 certificate, ECDsa? publicKey, string role, byte[]? ed25519PublicKey = null)
{
    /// <summary>Enough for every signature of the blocks in flight; past it the cache starts again.</summary>
    private const int MaxVerified = 4096;

    // ECDsa instances are not documented as thread-safe; identities are cached and shared by concurrent requests.
    private readonly Lock _keyGate = new();

    /// <summary>SHA-256(data) and the signature, for each signature verified as good.</summary>
    private readonly ConcurrentDictionary<string, byte> _verified = new(StringComparer.Ordinal);

    public ChannelMember Member { get; } = member;

    public string MspId => Member.MspId;

    /// <summary>The NodeOU of the certificate: client, peer, admin or orderer (empty when none).</summary>
    public string Role { get; } = role;

    public X509Certificate2 Certificate { get; } = certificate;

    /// <summary>True when the certificate is valid at <paramref name="now"/>.</summary>
    public bool IsCurrent(DateTimeOffset now) => now >= Certificate.NotBefore.ToUniversalTime() && now <= Certificate.NotAfter.ToUniversalTime();

    /// <summary>Fabric's identity Verify: ECDSA P-256 over SHA-256, DER, low-S; or Ed25519 over the data itself.</summary>
    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        var key = string.Concat(Convert.ToHexString(SHA256.HashData(data)), ":", Convert.ToHexString(signature));
        if (_verified.ContainsKey(key))
        {
            return true;
        }

        lock (_keyGate)
        {
            if (_verified.ContainsKey(key))
            {
                return true;
            }

            var valid = ed25519PublicKey is not null
                ? Ed25519Signatures.Verify(ed25519PublicKey, data, signature)
                : EcdsaSignatures.Verify(publicKey!, data, signature);
            if (!valid)
            {
                return false;
            }

            if (_verified.Count >= MaxVerified)
            {
                _verified.Clear();
            }

            _verified[key] = 0;
            return true;
        }
    }
}
