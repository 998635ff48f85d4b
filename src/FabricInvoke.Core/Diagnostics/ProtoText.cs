using System.Text;

namespace FabricInvoke.Core.Diagnostics;

/// <summary>Renders values the way Go's protobuf text format prints them, so our log lines read like the peer CLI's.</summary>
internal static class ProtoText
{
    /// <summary>A bytes field as a quoted string: printable ASCII kept, quotes and backslashes escaped, everything else as \ooo octal.</summary>
    public static string Bytes(ReadOnlySpan<byte> value)
    {
        var sb = new StringBuilder(value.Length + 2);
        sb.Append('"');
        foreach (var b in value)
        {
            switch (b)
            {
                case (byte)'\n':
                    sb.Append("\\n");
                    break;
                case (byte)'\r':
                    sb.Append("\\r");
                    break;
                case (byte)'\t':
                    sb.Append("\\t");
                    break;
                case (byte)'"':
                    sb.Append("\\\"");
                    break;
                case (byte)'\\':
                    sb.Append("\\\\");
                    break;
                case >= 0x20 and < 0x7f:
                    sb.Append((char)b);
                    break;
                default:
                    sb.Append('\\').Append((char)('0' + ((b >> 6) & 7))).Append((char)('0' + ((b >> 3) & 7))).Append((char)('0' + (b & 7)));
                    break;
            }
        }

        return sb.Append('"').ToString();
    }

    /// <summary>A chaincode Response as the Go CLI logs it: <c>status:200 message:"..." payload:"..."</c>, empty fields omitted.</summary>
    public static string Response(int status, string message, ReadOnlySpan<byte> payload)
    {
        var sb = new StringBuilder();
        sb.Append("status:").Append(status);
        if (!string.IsNullOrEmpty(message))
        {
            sb.Append(" message:").Append(Bytes(Encoding.UTF8.GetBytes(message)));
        }

        if (!payload.IsEmpty)
        {
            sb.Append(" payload:").Append(Bytes(payload));
        }

        return sb.ToString();
    }
}
