using System.Collections.Concurrent;
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FabricInvoke.DevNet.Crypto;
using FabricInvoke.Protos.Msp;
using Google.Protobuf;

namespace FabricInvoke.DevNet.Validation;

/// <summary>Why a serialized identity was refused.</summary>
internal enum IdentityFailure
{
    None,

    /// <summary>Not a SerializedIdentity, or id_bytes is not a PEM certificate.</summary>
    Malformed,

    /// <summary>The MSP ID is not a channel member.</summary>
    UnknownMsp,

    /// <summary>The certificate does not chain to the org CA, is expired or not yet valid, or has neither a P-256 nor an Ed25519 key.</summary>
    InvalidCertificate,
}

/// <summary>The outcome of deserialising and validating a <c>msp.SerializedIdentity</c>.</summary>
internal readonly record struct IdentityCheck(VerifiedIdentity? Identity, IdentityFailure Failure, string? ClaimedMspId);

/// <summary>
/// The channel's MSP manager: which orgs are members, and whether a serialized identity belongs to one of them.
/// Independent of FabricInvoke.Core on purpose — this is the other side of the wire.
/// </summary>
internal sealed class MspRegistry
{
    private static readonly Oid OrganizationalUnit = new("2.5.4.11");

    private readonly Dictionary<string, ChannelMember> _members;
    private readonly ConcurrentDictionary<string, VerifiedIdentity> _verified = new(StringComparer.Ordinal);

    public MspRegistry(IEnumerable<ChannelMember> members)
    {
        _members = members.ToDictionary(m => m.MspId, StringComparer.Ordinal);
    }

    /// <summary>The application (peer) orgs, in MSP ID order.</summary>
    public IReadOnlyList<ChannelMember> ApplicationOrgs => _members.Values.Where(m => m.IsApplicationOrg).OrderBy(m => m.MspId, StringComparer.Ordinal).ToList();

    public IEnumerable<ChannelMember> Members => _members.Values;

    /// <summary>Deserialises <paramref name="serializedIdentity"/> and checks it against the member orgs' CAs, now.</summary>
    public IdentityCheck Check(ByteString serializedIdentity)
    {
        SerializedIdentity parsed;
        try
        {
            parsed = SerializedIdentity.Parser.ParseFrom(serializedIdentity);
        }
        catch (InvalidProtocolBufferException)
        {
            return new IdentityCheck(null, IdentityFailure.Malformed, null);
        }

        if (!_members.TryGetValue(parsed.Mspid, out var member))
        {
            return new IdentityCheck(null, IdentityFailure.UnknownMsp, parsed.Mspid);
        }

        var now = DateTimeOffset.UtcNow;
        var cacheKey = Convert.ToBase64String(SHA256.HashData(serializedIdentity.Span));
        if (_verified.TryGetValue(cacheKey, out var known))
        {
            return known.IsCurrent(now)
                ? new IdentityCheck(known, IdentityFailure.None, parsed.Mspid)
                : new IdentityCheck(null, IdentityFailure.InvalidCertificate, parsed.Mspid);
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPem(parsed.IdBytes.ToStringUtf8());
        }
        catch (CryptographicException)
        {
            return new IdentityCheck(null, IdentityFailure.Malformed, parsed.Mspid);
        }

        // Fabric 3 MSPs take Ed25519 identities too (cryptogen 3.0 issues them from the org's ECDSA CA).
        var ed25519 = Ed25519Signatures.PublicKeyOf(certificate);
        var key = ed25519 is null ? certificate.GetECDsaPublicKey() : null;
        if ((ed25519 is null && (key is null || key.KeySize != 256)) || !ChainsTo(certificate, member.Ca))
        {
            key?.Dispose();
            certificate.Dispose();
            return new IdentityCheck(null, IdentityFailure.InvalidCertificate, parsed.Mspid);
        }

        var identity = new VerifiedIdentity(member, certificate, key, RoleOf(certificate), ed25519);
        _verified.TryAdd(cacheKey, identity);
        return new IdentityCheck(identity, IdentityFailure.None, parsed.Mspid);
    }

    /// <summary>True when a TLS client certificate chains to any member org's TLS CA (mutual TLS admission).</summary>
    public bool IsTrustedTlsClient(X509Certificate2 certificate) => _members.Values.Any(m => ChainsTo(certificate, m.TlsCa));

    private static bool ChainsTo(X509Certificate2 certificate, X509Certificate2 root)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = DateTime.Now;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        return chain.Build(certificate);
    }

    private static string RoleOf(X509Certificate2 certificate)
    {
        foreach (var rdn in certificate.SubjectName.EnumerateRelativeDistinguishedNames())
        {
            if (rdn.HasMultipleElements)
            {
                continue;
            }

            if (rdn.GetSingleElementType().Value == OrganizationalUnit.Value)
            {
                try
                {
                    return rdn.GetSingleElementValue() ?? "";
                }
                catch (AsnContentException)
                {
                    return "";
                }
            }
        }

        return "";
    }
}
