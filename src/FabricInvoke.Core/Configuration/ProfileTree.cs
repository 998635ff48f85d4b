using System.Globalization;
using System.Text.Json;
using FabricInvoke.Core.Errors;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace FabricInvoke.Core.Configuration;

/// <summary>
/// A connection profile's document as a tree of mappings, lists and scalars, each knowing its key path
/// (<c>peers.peer0.org1.example.com.url</c>) and, for YAML, its line — whether it was read from YAML (through
/// YamlDotNet's representation model, which needs no reflection and so suits native AOT) or from JSON.
/// </summary>
internal abstract class ProfileValue
{
    protected ProfileValue(string path, int? line)
    {
        Path = path;
        Line = line;
    }

    /// <summary>The key path from the document's root, dot-separated; list items as <c>[0]</c>.</summary>
    public string Path { get; }

    /// <summary>1-based line in a YAML file; null for JSON.</summary>
    public int? Line { get; }

    /// <summary>The path with the line, as messages show it.</summary>
    public string Where => Line is { } line ? $"{Path} (line {line.ToString(CultureInfo.InvariantCulture)})" : Path;

    public abstract string Describe { get; }

    /// <summary>Reads YAML (JSON is YAML too, but is read as JSON when it starts with <c>{</c>, for exact JSON rules).</summary>
    /// <exception cref="FabricInvokeException">Config: the text is not YAML/JSON, or holds duplicate keys.</exception>
    public static ProfileValue Parse(string text, string file)
    {
        return text.TrimStart('\uFEFF', ' ', '\t', '\r', '\n').StartsWith('{') ? ParseJson(text, file) : ParseYaml(text, file);
    }

    private static ProfileValue ParseYaml(string text, string file)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw Failures.ConnectionProfile(file, string.Empty, $"not valid YAML at line {e.Start.Line.ToString(CultureInfo.InvariantCulture)}: {e.InnerException?.Message ?? e.Message}", e);
        }
        catch (ArgumentException e)
        {
            // The representation model refuses a mapping with the same key twice this way.
            throw Failures.ConnectionProfile(file, string.Empty, $"not a usable YAML document ({e.Message})", e);
        }

        if (stream.Documents.Count != 1)
        {
            throw Failures.ConnectionProfile(file, string.Empty, stream.Documents.Count == 0 ? "the file is empty" : "holds more than one YAML document");
        }

        return FromYaml(stream.Documents[0].RootNode, string.Empty, file, 0);
    }

    private static ProfileValue FromYaml(YamlNode node, string path, string file, int depth)
    {
        CheckDepth(depth, path, file);
        var line = checked((int)node.Start.Line);
        switch (node)
        {
            case YamlMappingNode map:
                var entries = new List<KeyValuePair<string, ProfileValue>>();
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var (keyNode, valueNode) in map.Children)
                {
                    if (keyNode is not YamlScalarNode { Value: { } key })
                    {
                        throw Failures.ConnectionProfile(file, $"{Display(path)} (line {keyNode.Start.Line})", "a key that is not a plain string");
                    }

                    var child = Join(path, key);
                    if (!seen.Add(key))
                    {
                        throw Failures.ConnectionProfile(file, $"{child} (line {keyNode.Start.Line})", "the key appears twice");
                    }

                    entries.Add(new(key, FromYaml(valueNode, child, file, depth + 1)));
                }

                return new ProfileMap(Display(path), line, entries);
            case YamlSequenceNode list:
                return new ProfileList(Display(path), line, list.Children.Select((c, i) => FromYaml(c, $"{path}[{i}]", file, depth + 1)).ToList());
            case YamlScalarNode scalar:
                var plain = scalar.Style is ScalarStyle.Plain or ScalarStyle.Any;
                var value = scalar.Value ?? string.Empty;
                var isNull = plain && value is "" or "~" or "null" or "Null" or "NULL";
                return new ProfileScalar(Display(path), line, isNull ? null : value);
            default:
                throw Failures.ConnectionProfile(file, $"{Display(path)} (line {line})", "an unsupported YAML node");
        }
    }

    private static ProfileValue ParseJson(string text, string file)
    {
        try
        {
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 64 });
            return FromJson(document.RootElement, string.Empty, file, 0);
        }
        catch (JsonException e)
        {
            throw Failures.ConnectionProfile(file, string.Empty, $"not valid JSON at line {((e.LineNumber ?? 0) + 1).ToString(CultureInfo.InvariantCulture)}: {e.Message}", e);
        }
    }

    private static ProfileValue FromJson(JsonElement element, string path, string file, int depth)
    {
        CheckDepth(depth, path, file);
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var entries = new List<KeyValuePair<string, ProfileValue>>();
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    var child = Join(path, property.Name);
                    if (!seen.Add(property.Name))
                    {
                        throw Failures.ConnectionProfile(file, child, "the key appears twice");
                    }

                    entries.Add(new(property.Name, FromJson(property.Value, child, file, depth + 1)));
                }

                return new ProfileMap(Display(path), null, entries);
            case JsonValueKind.Array:
                return new ProfileList(Display(path), null, element.EnumerateArray().Select((c, i) => FromJson(c, $"{path}[{i}]", file, depth + 1)).ToList());
            case JsonValueKind.String:
                return new ProfileScalar(Display(path), null, element.GetString());
            case JsonValueKind.Null:
                return new ProfileScalar(Display(path), null, null);
            default:
                // Numbers and booleans as their JSON text, which is what YAML's plain scalars give too.
                return new ProfileScalar(Display(path), null, element.GetRawText());
        }
    }

    private static void CheckDepth(int depth, string path, string file)
    {
        if (depth > 64)
        {
            throw Failures.ConnectionProfile(file, Display(path), "nested more than 64 levels deep");
        }
    }

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    private static string Display(string path) => path.Length == 0 ? "(top level)" : path;
}

/// <summary>A mapping, its keys in file order.</summary>
internal sealed class ProfileMap(string path, int? line, IReadOnlyList<KeyValuePair<string, ProfileValue>> entries) : ProfileValue(path, line)
{
    public IReadOnlyList<KeyValuePair<string, ProfileValue>> Entries { get; } = entries;

    public override string Describe => "a mapping";

    public ProfileValue? this[string key] => Entries.FirstOrDefault(e => e.Key == key).Value;
}

/// <summary>A list.</summary>
internal sealed class ProfileList(string path, int? line, IReadOnlyList<ProfileValue> items) : ProfileValue(path, line)
{
    public IReadOnlyList<ProfileValue> Items { get; } = items;

    public override string Describe => "a list";
}

/// <summary>A scalar as text; null for YAML's null (an empty value) and JSON's null.</summary>
internal sealed class ProfileScalar(string path, int? line, string? text) : ProfileValue(path, line)
{
    public string? Text { get; } = text;

    public override string Describe => Text is null ? "empty" : "a single value";
}
