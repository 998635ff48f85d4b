using System.Text.RegularExpressions;

namespace FabricInvoke.Core.Tests;

/// <summary>
/// docs/ARCHITECTURE.md names only things that exist. The rules, applied to every `backticked` span outside fenced
/// code blocks (```), spans containing whitespace skipped:
/// <list type="number">
/// <item>A span with a '/' or ending in a file extension (.cs, .md, .json, .sh, .csproj, .props, .targets, .proto,
/// .txt, .slnf, .yml) is a path from the repository root: a file or folder of that name must exist (a trailing '/' is
/// allowed).</item>
/// <item>Otherwise the span's part before the first '.' or '(' is a type when it is PascalCase with at least two humps
/// (<c>DeliverGroup</c>, <c>IProgressObserver</c>; not <c>Put</c>, <c>VALID</c>, <c>e.Message</c>, <c>--devnet</c>):
/// a class, record, struct, interface or enum of that name must be declared in a .cs file under src/ or tests/, or a
/// message, enum or service in a .proto file under protos/. Members after the '.' are not checked. Types from outside
/// the repository (.NET, gRPC) are written without backticks.</item>
/// </list>
/// Runtime files (devnet.json, the devnet/ output folder) are written without backticks too.
/// </summary>
public sealed partial class ArchitectureDocTests
{
    private static readonly string[] PathExtensions = [".cs", ".md", ".json", ".sh", ".csproj", ".props", ".targets", ".proto", ".txt", ".slnf", ".yml"];

    [Fact]
    public void Every_type_and_path_the_architecture_doc_names_exists()
    {
        var root = RepositoryRoot();
        var doc = File.ReadAllText(Path.Combine(root, "docs", "ARCHITECTURE.md")).ReplaceLineEndings("\n");
        var (paths, types) = Names(doc);
        Assert.NotEmpty(paths);
        Assert.NotEmpty(types);

        var declared = DeclaredTypes(root);
        var missing = paths.Where(p => !File.Exists(Path.Combine(root, p)) && !Directory.Exists(Path.Combine(root, p.TrimEnd('/'))))
            .Select(p => $"path {p}")
            .Concat(types.Where(t => !declared.Contains(t)).Select(t => $"type {t}"))
            .ToList();

        Assert.True(missing.Count == 0, $"docs/ARCHITECTURE.md names {missing.Count} thing(s) that do not exist in the repository:\n  {string.Join("\n  ", missing)}");
    }

    [Fact]
    public void The_rules_tell_paths_types_and_other_spans_apart()
    {
        var (paths, types) = Names("""
            `src/FabricInvoke.Core` and `README.md`, `DeliverGroup.StartClock`, `ExitCodes.For(kind)`, `IProgressObserver`,
            `Put`, `VALID`, `e.Message`, `--devnet`, `--devnet DIR`, `CORE_PEER_ADDRESS`
            ```
            `NotChecked` inside a fence
            ```
            """);

        Assert.Equal(["README.md", "src/FabricInvoke.Core"], paths.Order(StringComparer.Ordinal));
        Assert.Equal(["DeliverGroup", "ExitCodes", "IProgressObserver"], types.Order(StringComparer.Ordinal));
    }

    private static (IReadOnlyCollection<string> Paths, IReadOnlyCollection<string> Types) Names(string markdown)
    {
        var paths = new HashSet<string>(StringComparer.Ordinal);
        var types = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match m in InlineCode().Matches(Fence().Replace(markdown, "")))
        {
            var span = m.Groups[1].Value;
            if (span.Any(char.IsWhiteSpace))
            {
                continue;
            }

            if (span.Contains('/', StringComparison.Ordinal) || PathExtensions.Any(e => span.EndsWith(e, StringComparison.Ordinal)))
            {
                paths.Add(span);
                continue;
            }

            var head = span.Split('.', '(')[0];
            if (TypeName().IsMatch(head))
            {
                types.Add(head);
            }
        }

        return (paths, types);
    }

    private static HashSet<string> DeclaredTypes(string root)
    {
        var declared = new HashSet<string>(StringComparer.Ordinal);
        var sources = new[] { "src", "tests" }
            .SelectMany(d => Directory.EnumerateFiles(Path.Combine(root, d), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"));
        foreach (var file in sources)
        {
            foreach (Match m in CSharpDeclaration().Matches(File.ReadAllText(file)))
            {
                declared.Add(m.Groups[1].Value);
            }
        }

        foreach (var file in Directory.EnumerateFiles(Path.Combine(root, "protos"), "*.proto", SearchOption.AllDirectories))
        {
            foreach (Match m in ProtoDeclaration().Matches(File.ReadAllText(file)))
            {
                declared.Add(m.Groups[1].Value);
            }
        }

        return declared;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "FabricInvoke.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("the repository root (FabricInvoke.sln) above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^```.*?^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex Fence();

    [GeneratedRegex(@"`([^`\n]+)`")]
    private static partial Regex InlineCode();

    [GeneratedRegex(@"^I?[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+$")]
    private static partial Regex TypeName();

    [GeneratedRegex(@"\b(?:class|record|struct|interface|enum)\s+([A-Z]\w*)")]
    private static partial Regex CSharpDeclaration();

    [GeneratedRegex(@"^\s*(?:message|enum|service)\s+(\w+)", RegexOptions.Multiline)]
    private static partial Regex ProtoDeclaration();
}
