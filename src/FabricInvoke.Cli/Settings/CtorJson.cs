using System.Text;
using System.Text.Json;
using FabricInvoke.Core.Errors;

namespace FabricInvoke.Cli.Settings;

/// <summary>Reads <c>-c/--ctor</c> and <c>--transient</c> the way the Go peer CLI does.</summary>
internal static class CtorJson
{
    /// <summary>Go's encoding/json accepts nesting up to 10000 levels (System.Text.Json stops at 64 by default).</summary>
    private static readonly JsonDocumentOptions GoLike = new() { MaxDepth = 10_000 };

    /// <summary>
    /// <c>{"Args":[...]}</c> or <c>{"Function":"f","Args":[...]}</c>, keys case-insensitive; Function is prepended
    /// to Args; every value is a string sent as UTF-8.
    /// </summary>
    /// <exception cref="FabricInvokeException">Usage: not such a JSON object, or no arguments at all.</exception>
    public static IReadOnlyList<byte[]> ParseArgs(string ctor)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(ctor, GoLike);
        }
        catch (JsonException e)
        {
            throw Failures.Usage($"chaincode argument error: -c/--ctor is not valid JSON ({Short(e)})");
        }
        catch (ArgumentException)
        {
            throw Failures.Usage($"chaincode argument error: -c/--ctor is not valid JSON ({InvalidUtf16})");
        }

        using (doc)
        {
            try
            {
                if (doc.RootElement.ValueKind != JsonValueKind.Object)
                {
                    throw Failures.Usage("chaincode argument error: -c/--ctor must be a JSON object such as {\"Args\":[\"Put\",\"k\",\"v\"]}");
                }

                string? function = null;
                var args = new List<byte[]>();
                foreach (var property in doc.RootElement.EnumerateObject())
                {
                    if (property.Name.Equals("Function", StringComparison.OrdinalIgnoreCase))
                    {
                        if (property.Value.ValueKind == JsonValueKind.Null)
                        {
                            continue;
                        }

                        if (property.Value.ValueKind != JsonValueKind.String)
                        {
                            throw Failures.Usage("chaincode argument error: -c/--ctor \"Function\" must be a string");
                        }

                        function = property.Value.GetString();
                    }
                    else if (property.Name.Equals("Args", StringComparison.OrdinalIgnoreCase))
                    {
                        args.Clear();
                        if (property.Value.ValueKind == JsonValueKind.Null)
                        {
                            continue;
                        }

                        if (property.Value.ValueKind != JsonValueKind.Array)
                        {
                            throw Failures.Usage("chaincode argument error: -c/--ctor \"Args\" must be an array of strings");
                        }

                        foreach (var item in property.Value.EnumerateArray())
                        {
                            if (item.ValueKind != JsonValueKind.String)
                            {
                                throw Failures.Usage("chaincode argument error: -c/--ctor \"Args\" must be an array of strings");
                            }

                            args.Add(Encoding.UTF8.GetBytes(item.GetString()!));
                        }
                    }
                }

                if (!string.IsNullOrEmpty(function))
                {
                    args.Insert(0, Encoding.UTF8.GetBytes(function));
                }

                if (args.Count == 0)
                {
                    throw Failures.Usage("chaincode argument error: -c/--ctor names no function or arguments; use e.g. -c '{\"Args\":[\"Put\",\"k\",\"v\"]}'");
                }

                return args;
            }
            catch (InvalidOperationException)
            {
                throw Failures.Usage($"chaincode argument error: -c/--ctor is not valid JSON ({InvalidUtf16})");
            }
        }
    }

    /// <summary>A JSON object whose values are standard base64 (Go's map[string][]byte). Values are never echoed: they may be secrets.</summary>
    /// <exception cref="FabricInvokeException">Usage: not a JSON object of base64 strings.</exception>
    public static IReadOnlyList<KeyValuePair<string, byte[]>> ParseTransient(string? transient)
    {
        if (string.IsNullOrWhiteSpace(transient))
        {
            return [];
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(transient, GoLike);
        }
        catch (JsonException e)
        {
            throw Failures.Usage($"error parsing transient string: --transient is not valid JSON ({Short(e)})");
        }
        catch (ArgumentException)
        {
            throw Failures.Usage($"error parsing transient string: --transient is not valid JSON ({InvalidUtf16})");
        }

        using (doc)
        {
            try
            {
                if (doc.RootElement.ValueKind != JsonValueKind.Object)
                {
                    throw Failures.Usage("error parsing transient string: --transient must be a JSON object of base64 values");
                }

                var entries = new List<KeyValuePair<string, byte[]>>();
                foreach (var property in doc.RootElement.EnumerateObject())
                {
                    byte[] value;
                    if (property.Value.ValueKind == JsonValueKind.Null)
                    {
                        value = [];
                    }
                    else if (property.Value.ValueKind != JsonValueKind.String || !TryBase64(property.Value.GetString()!, out value))
                    {
                        throw Failures.Usage($"error parsing transient string: the value of \"{property.Name}\" is not a base64 string");
                    }

                    entries.RemoveAll(e => e.Key == property.Name);
                    entries.Add(new(property.Name, value));
                }

                return entries;
            }
            catch (InvalidOperationException)
            {
                throw Failures.Usage($"error parsing transient string: --transient is not valid JSON ({InvalidUtf16})");
            }
        }
    }

    /// <summary>
    /// An unpaired surrogate, in the text itself (JsonDocument.Parse throws ArgumentException) or escaped as <c>\\uD800</c>
    /// (GetString and Name throw InvalidOperationException). It has no UTF-8 form: Go would silently send U+FFFD
    /// instead, so we refuse rather than send bytes the user did not write.
    /// </summary>
    private const string InvalidUtf16 = "it holds an unpaired UTF-16 surrogate such as \\uD800";

    private static bool TryBase64(string text, out byte[] value)
    {
        value = new byte[(text.Length * 3 / 4) + 3];
        if (text.Length % 4 == 0 && Convert.TryFromBase64String(text, value, out var written) && !text.Any(char.IsWhiteSpace))
        {
            value = value[..written];
            return true;
        }

        value = [];
        return false;
    }

    private static string Short(JsonException e) =>
        e.LineNumber is { } line && e.BytePositionInLine is { } pos ? $"at line {line + 1}, position {pos + 1}" : "malformed";
}
