using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FabricInvoke.Core.Identity;
using FabricInvoke.Core.Transactions;
using Org.BouncyCastle.Math;

namespace FabricInvoke.Core.Tests;

/// <summary>Our own signatures: valid ECDSA/SHA-256 DER, and always low-S (peers and orderers reject high-S).</summary>
public sealed class SignatureTests
{
    private static readonly BigInteger P256Order = new("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16);

    [Fact]
    public void Two_hundred_proposal_signatures_all_verify_and_are_low_s()
    {
        var signer = MspFolder.Load(Fixtures.Org1Msp, "Org1MSP");
        var invocation = new ChaincodeInvocation("mychannel", "basic", [[.. "Put"u8], [.. "k"u8], [.. "v"u8]], [], IsInit: false);

        for (var i = 0; i < 200; i++)
        {
            var proposal = ProposalBuilder.Create(invocation, signer.Creator, TxIds.NewNonce(), Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow));
            var signed = proposal.Sign(signer);

            Assert.Equal(proposal.ProposalBytes, signed.ProposalBytes);
            Fixtures.AssertValidLowSSignature(signer.Certificate, signed.ProposalBytes.Span, signed.Signature.ToByteArray());
        }
    }

    [Fact]
    public void High_s_signature_is_normalised_and_still_verifies()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var digest = SHA256.HashData("message"u8);
        var (r, s) = LowS.Decode(key.SignHash(digest, DSASignatureFormat.Rfc3279DerSequence));
        var lowS = s.CompareTo(P256Order.ShiftRight(1)) <= 0 ? s : P256Order.Subtract(s);
        var high = LowS.Encode(r, P256Order.Subtract(lowS));
        Assert.False(LowS.IsLowS(high, P256Order));
        Assert.True(key.VerifyHash(digest, high, DSASignatureFormat.Rfc3279DerSequence));

        var normalised = LowS.Normalize(high, P256Order);

        Assert.True(LowS.IsLowS(normalised, P256Order));
        Assert.Equal(LowS.Encode(r, lowS), normalised);
        Assert.Equal(lowS, LowS.Decode(normalised).S);
        Assert.True(key.VerifyHash(digest, normalised, DSASignatureFormat.Rfc3279DerSequence));
    }

    [Fact]
    public void Low_s_signature_is_returned_unchanged()
    {
        var signature = LowS.Encode(BigInteger.ValueOf(12345), BigInteger.ValueOf(67890));

        Assert.Same(signature, LowS.Normalize(signature, P256Order));
    }

    [Fact]
    public void S_exactly_half_the_order_is_low()
    {
        var half = P256Order.ShiftRight(1);
        var signature = LowS.Encode(BigInteger.One, half);

        Assert.True(LowS.IsLowS(signature, P256Order));
        Assert.False(LowS.IsLowS(LowS.Encode(BigInteger.One, half.Add(BigInteger.One)), P256Order));
    }

    [Fact]
    public void Encoding_is_minimal_der_with_sign_padding()
    {
        // 0x80 needs a leading zero to stay positive; 0x7f does not.
        var der = LowS.Encode(BigInteger.ValueOf(0x80), BigInteger.ValueOf(0x7f));

        Assert.Equal(new byte[] { 0x30, 0x07, 0x02, 0x02, 0x00, 0x80, 0x02, 0x01, 0x7f }, der);
    }

    [Fact]
    public void Malformed_signature_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => LowS.Normalize([0x30, 0x03, 0x02, 0x01], P256Order));
        Assert.Throws<ArgumentException>(() => LowS.Normalize(LowS.Encode(BigInteger.ValueOf(-1), BigInteger.One), P256Order));
    }

    [Fact]
    public void Certificate_with_a_high_s_signature_is_sanitised_like_fabric_does()
    {
        // Org1's root CA certificate carries a high-S signature (fixture README, surprise 2).
        var pem = File.ReadAllText(Fixtures.PathOf("identities/org1-user1/msp/cacerts/ca.org1.example.com-cert.pem"));
        var der = Convert.FromBase64String(pem[PemEncoding.Find(pem).Base64Data]);
        Assert.False(LowS.IsLowS(SignatureOf(der).Signature, P256Order));

        var sanitised = CertificateSanitizer.Sanitize(der, P256Order);

        Assert.NotEqual(der, sanitised);
        var (tbs, signature) = SignatureOf(sanitised);
        Assert.Equal(SignatureOf(der).Tbs, tbs);
        Assert.True(LowS.IsLowS(signature, P256Order));
        using var certificate = X509CertificateLoader.LoadCertificate(sanitised);
        using var publicKey = certificate.GetECDsaPublicKey()!;
        Assert.True(publicKey.VerifyData(tbs, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));

        // A certificate whose signature is already low-S is left byte-for-byte alone.
        var user = File.ReadAllText(Fixtures.PathOf("identities/org1-user1/msp/signcerts/User1@org1.example.com-cert.pem"));
        var userDer = Convert.FromBase64String(user[PemEncoding.Find(user).Base64Data]);
        Assert.Same(userDer, CertificateSanitizer.Sanitize(userDer, P256Order));
    }

    [Fact]
    public void TxId_is_hex_sha256_of_nonce_then_creator()
    {
        byte[] nonce = [1, 2, 3];
        byte[] creator = [4, 5];

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData([1, 2, 3, 4, 5])), TxIds.Compute(nonce, creator));
        Assert.Equal(24, TxIds.NewNonce().Length);
        Assert.NotEqual(TxIds.NewNonce(), TxIds.NewNonce());
    }

    private static (byte[] Tbs, byte[] Signature) SignatureOf(byte[] certificateDer)
    {
        var reader = new AsnReader(certificateDer, AsnEncodingRules.DER).ReadSequence();
        var tbs = reader.ReadEncodedValue().ToArray();
        _ = reader.ReadEncodedValue();
        return (tbs, reader.ReadBitString(out _));
    }
}
