using System.Security.Cryptography;
using System.Text;

namespace FabricInvoke.Core.Identity;

/// <summary>PEM reading and Go-compatible PEM writing.</summary>
internal static class PemText
{
    /// <summary>Finds the first PEM block with <paramref name="label"/> and returns its decoded bytes, or null.</summary>
    public static byte[]? FindFirst(string text, string label)
    {
        foreach (var (blockLabel, data) in Enumerate(text))
        {
            if (blockLabel == label)
            {
                return data;
            }
        }

        return null;
    }

    /// <summary>Every RFC 7468 PEM block in <paramref name="text"/>, in order.</summary>
    public static IEnumerable<(string Label, byte[] Data)> Enumerate(string text)
    {
        var offset = 0;
        while (offset < text.Length)
        {
            var rest = text.AsMemory(offset);
            if (!PemEncoding.TryFind(rest.Span, out var fields))
            {
                yield break;
            }

            var label = rest.Span[fields.Label].ToString();
            var data = Convert.FromBase64String(rest.Span[fields.Base64Data].ToString());
            offset += fields.Location.End.Value;
            yield return (label, data);
        }
    }

    /// <summary>
    /// Encodes like Go's <c>pem.EncodeToMemory</c>: 64-character base64 lines, <c>\n</c> line ends and a
    /// trailing newline. Fabric builds <c>SerializedIdentity.id_bytes</c> this way, so the creator (and the
    /// txid) only match the Go CLI's when the trailing newline is kept.
    /// </summary>
    public static byte[] EncodeGoStyle(string label, ReadOnlySpan<byte> der)
    {
        var base64 = Convert.ToBase64String(der);
        var sb = new StringBuilder(base64.Length + (base64.Length / 64) + (2 * label.Length) + 40);
        sb.Append("-----BEGIN ").Append(label).Append("-----\n");
        for (var i = 0; i < base64.Length; i += 64)
        {
            sb.Append(base64, i, Math.Min(64, base64.Length - i)).Append('\n');
        }

        sb.Append("-----END ").Append(label).Append("-----\n");
        return Encoding.ASCII.GetBytes(sb.ToString());
    }
}
