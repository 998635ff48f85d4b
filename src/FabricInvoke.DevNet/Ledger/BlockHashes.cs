using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using FabricInvoke.Protos.Common;

namespace FabricInvoke.DevNet.Ledger;

/// <summary>Fabric's block hashes: header hash over the ASN.1 header, data hash over the concatenated envelopes.</summary>
internal static class BlockHashes
{
    /// <summary>SHA-256 of DER <c>SEQUENCE{INTEGER number, OCTET STRING previous_hash, OCTET STRING data_hash}</c>.</summary>
    public static byte[] HeaderHash(BlockHeader header) => SHA256.HashData(HeaderBytes(header));

    /// <summary>The ASN.1 encoding of the header that Fabric hashes (and the orderer signs).</summary>
    public static byte[] HeaderBytes(BlockHeader header)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteInteger(new BigInteger(header.Number));
            writer.WriteOctetString(header.PreviousHash.Span);
            writer.WriteOctetString(header.DataHash.Span);
        }

        return writer.Encode();
    }

    /// <summary>SHA-256 of the concatenation of every data entry (protoutil.BlockDataHash).</summary>
    public static byte[] DataHash(BlockData data)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var entry in data.Data)
        {
            hash.AppendData(entry.Span);
        }

        return hash.GetHashAndReset();
    }
}
