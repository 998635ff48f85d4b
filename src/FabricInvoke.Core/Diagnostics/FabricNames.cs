using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using FabricInvoke.Protos.Common;
using FabricInvoke.Protos.Peer;

namespace FabricInvoke.Core.Diagnostics;

/// <summary>
/// The protocol's own names for status and validation codes (MVCC_READ_CONFLICT, SERVICE_UNAVAILABLE). They are the
/// generated enum names turned back into the .proto's UPPER_SNAKE form (a test checks every value against the proto
/// descriptors), which costs nothing at start-up; building the descriptors themselves took milliseconds per invoke.
/// A number the enum does not know is written as the number.
/// </summary>
internal static class FabricNames
{
    private static readonly ConcurrentDictionary<Status, string> StatusNames = new();
    private static readonly ConcurrentDictionary<TxValidationCode, string> CodeNames = new();

    public static string Of(Status status) => StatusNames.GetOrAdd(status, s => Name(Enum.IsDefined(s), s.ToString(), (int)s));

    public static string Of(TxValidationCode code) => CodeNames.GetOrAdd(code, c => Name(Enum.IsDefined(c), c.ToString(), (int)c));

    private static string Name(bool defined, string pascal, int number)
    {
        if (!defined)
        {
            return number.ToString(CultureInfo.InvariantCulture);
        }

        var sb = new StringBuilder(pascal.Length + 8);
        for (var i = 0; i < pascal.Length; i++)
        {
            if (i > 0 && char.IsUpper(pascal[i]))
            {
                sb.Append('_');
            }

            sb.Append(char.ToUpperInvariant(pascal[i]));
        }

        return sb.ToString();
    }
}
