using System.Globalization;
using System.Text.Json;
using FabricInvoke.Core.Errors;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

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

    /// <summary>The deepest nesting a profile may have (the samples' deepest is 5).</summary>
    internal const int MaxDepth = 64;

    /// <summary>
    /// The most nodes (keys, values, mappings, lists) a profile may hold, counting every copy an alias makes: a
    /// profile of <see cref="ConnectionProfile.MaxPeers"/> peers with every key the SDKs know stays far below it, while
    /// a few hundred bytes of nested aliases (a "billion laughs") would otherwise expand to gigabytes.
    /// </summary>
    internal const int MaxNodes = 50_000;

    /// <summary>
    /// Reads YAML from the parser's events, building the tree with an explicit stack (never recursion, so no nesting
    /// can overflow the thread's stack) and expanding each alias by replaying its anchor's events, every copy counted
    /// against <see cref="MaxNodes"/>. Depth and size are refused as soon as they are passed, before the rest is read.
    /// </summary>
    private static ProfileValue ParseYaml(string text, string file)
    {
        var builder = new YamlTreeBuilder(file);
        var parser = new Parser(new StringReader(text));
        try
        {
            while (parser.MoveNext())
            {
                builder.Add(parser.Current!);
            }
        }
        catch (YamlException e)
        {
            throw Failures.ConnectionProfile(file, string.Empty, $"not valid YAML at line {e.Start.Line.ToString(CultureInfo.InvariantCulture)}: {e.InnerException?.Message ?? e.Message}", e);
        }

        return builder.Root ?? throw Failures.ConnectionProfile(file, string.Empty, "the file is empty");
    }

    /// <summary>Turns YAML parsing events into a <see cref="ProfileValue"/> tree, without recursion, within bounds.</summary>
    private sealed class YamlTreeBuilder(string file)
    {
        private readonly Stack<Frame> _open = new();
        private readonly Dictionary<string, List<ParsingEvent>> _anchors = new(StringComparer.Ordinal);
        private readonly List<Recording> _recording = [];
        private int _documents;
        private int _nodes;

        public ProfileValue? Root { get; private set; }

        public void Add(ParsingEvent e)
        {
            switch (e)
            {
                case StreamStart or StreamEnd or DocumentEnd:
                    return;
                case DocumentStart:
                    if (++_documents > 1)
                    {
                        throw Failures.ConnectionProfile(file, string.Empty, "holds more than one YAML document");
                    }

                    return;
                case AnchorAlias alias:
                    if (!_anchors.TryGetValue(alias.Value.Value, out var events))
                    {
                        throw Failures.ConnectionProfile(file, $"{Display(NextPath())} (line {Line(e)})", $"the alias *{alias.Value.Value} names no anchor defined before it");
                    }

                    // Replayed without their anchors (already defined): each copy is counted as nodes again.
                    foreach (var replayed in events)
                    {
                        Build(replayed, defineAnchor: false);
                    }

                    return;
                default:
                    Build(e, defineAnchor: true);
                    return;
            }
        }

        private void Build(ParsingEvent e, bool defineAnchor)
        {
            if (e is NodeEvent && ++_nodes > MaxNodes)
            {
                throw Failures.ConnectionProfile(file, $"{Display(NextPath())} (line {Line(e)})", $"holds more than {MaxNodes.ToString(CultureInfo.InvariantCulture)} keys and values (aliases counted as copies): not a connection profile");
            }

            // Every anchor still open records this event (aliases inside it already expanded), to be replayed by *name.
            for (var i = _recording.Count - 1; i >= 0; i--)
            {
                var r = _recording[i];
                r.Events.Add(e);
                r.Level += e switch { MappingStart or SequenceStart => 1, MappingEnd or SequenceEnd => -1, _ => 0 };
                if (r.Level == 0)
                {
                    _anchors[r.Name] = r.Events;
                    _recording.RemoveAt(i);
                }
            }

            if (defineAnchor && e is NodeEvent { Anchor.IsEmpty: false } node)
            {
                if (e is Scalar)
                {
                    _anchors[node.Anchor.Value] = [e];
                }
                else
                {
                    _recording.Add(new Recording(node.Anchor.Value, [e]));
                }
            }

            switch (e)
            {
                case Scalar scalar:
                    if (_open.TryPeek(out var parent) && parent.IsMap && parent.PendingKey is null)
                    {
                        var key = scalar.Value;
                        if (!parent.Seen!.Add(key))
                        {
                            throw Failures.ConnectionProfile(file, $"{Join(parent.Path, key)} (line {Line(e)})", "the key appears twice");
                        }

                        parent.PendingKey = key;
                        return;
                    }

                    var plain = scalar.Style is ScalarStyle.Plain or ScalarStyle.Any;
                    var value = scalar.Value ?? string.Empty;
                    var isNull = plain && value is "" or "~" or "null" or "Null" or "NULL";
                    Complete(new ProfileScalar(Display(NextPath()), Line(e), isNull ? null : value));
                    return;
                case MappingStart or SequenceStart:
                    if (_open.TryPeek(out var owner) && owner.IsMap && owner.PendingKey is null)
                    {
                        throw Failures.ConnectionProfile(file, $"{Display(owner.Path)} (line {Line(e)})", "a key that is not a plain string");
                    }

                    var path = NextPath();
                    if (_open.Count >= MaxDepth)
                    {
                        throw Failures.ConnectionProfile(file, Display(path), $"nested more than {MaxDepth.ToString(CultureInfo.InvariantCulture)} levels deep");
                    }

                    _open.Push(new Frame(e is MappingStart, path, Line(e)));
                    return;
                case MappingEnd or SequenceEnd:
                    var done = _open.Pop();
                    Complete(done.IsMap
                        ? new ProfileMap(Display(done.Path), done.Line, done.Entries!)
                        : new ProfileList(Display(done.Path), done.Line, done.Items!));
                    return;
                default:
                    throw Failures.ConnectionProfile(file, $"{Display(NextPath())} (line {Line(e)})", "an unsupported YAML node");
            }
        }

        /// <summary>The raw path of the node that comes next: the pending key's, the next list item's, or the root's.</summary>
        private string NextPath()
        {
            if (!_open.TryPeek(out var parent))
            {
                return string.Empty;
            }

            return parent.IsMap ? Join(parent.Path, parent.PendingKey ?? string.Empty) : $"{parent.Path}[{parent.Items!.Count.ToString(CultureInfo.InvariantCulture)}]";
        }

        private void Complete(ProfileValue value)
        {
            if (!_open.TryPeek(out var parent))
            {
                Root = value;
                return;
            }

            if (parent.IsMap)
            {
                parent.Entries!.Add(new(parent.PendingKey!, value));
                parent.PendingKey = null;
            }
            else
            {
                parent.Items!.Add(value);
            }
        }

        private static int Line(ParsingEvent e) => (int)Math.Min(e.Start.Line, int.MaxValue);

        private sealed class Frame(bool isMap, string path, int line)
        {
            public bool IsMap { get; } = isMap;

            public string Path { get; } = path;

            public int Line { get; } = line;

            public List<KeyValuePair<string, ProfileValue>>? Entries { get; } = isMap ? [] : null;

            public List<ProfileValue>? Items { get; } = isMap ? null : [];

            public HashSet<string>? Seen { get; } = isMap ? new(StringComparer.Ordinal) : null;

            public string? PendingKey { get; set; }
        }

        private sealed class Recording(string name, List<ParsingEvent> events)
        {
            public string Name { get; } = name;

            public List<ParsingEvent> Events { get; } = events;

            public int Level { get; set; } = 1;
        }
    }

    private static ProfileValue ParseJson(string text, string file)
    {
        try
        {
            using var document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = MaxDepth });
            var nodes = 0;
            return FromJson(document.RootElement, string.Empty, file, 0, ref nodes);
        }
        catch (JsonException e)
        {
            throw Failures.ConnectionProfile(file, string.Empty, $"not valid JSON at line {((e.LineNumber ?? 0) + 1).ToString(CultureInfo.InvariantCulture)}: {e.Message}", e);
        }
    }

    // Recursive, but JsonDocument has already refused anything nested deeper than MaxDepth.
    private static ProfileValue FromJson(JsonElement element, string path, string file, int depth, ref int nodes)
    {
        CheckDepth(depth, path, file);
        if (++nodes > MaxNodes)
        {
            throw Failures.ConnectionProfile(file, Display(path), $"holds more than {MaxNodes.ToString(CultureInfo.InvariantCulture)} keys and values: not a connection profile");
        }

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

                    entries.Add(new(property.Name, FromJson(property.Value, child, file, depth + 1, ref nodes)));
                }

                return new ProfileMap(Display(path), null, entries);
            case JsonValueKind.Array:
                var items = new List<ProfileValue>();
                foreach (var item in element.EnumerateArray())
                {
                    items.Add(FromJson(item, $"{path}[{items.Count.ToString(CultureInfo.InvariantCulture)}]", file, depth + 1, ref nodes));
                }

                return new ProfileList(Display(path), null, items);
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
        if (depth > MaxDepth)
        {
            throw Failures.ConnectionProfile(file, Display(path), $"nested more than {MaxDepth.ToString(CultureInfo.InvariantCulture)} levels deep");
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
