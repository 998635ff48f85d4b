using System.Text.Json;
using Json.Schema;

namespace FabricInvoke.EndToEnd.Tests.Infrastructure;

/// <summary>The one object <c>--output json</c> writes, checked against the schema published in docs/schemas.</summary>
public static class JsonOutput
{
    private static readonly Lazy<JsonSchema> Schema = new(() =>
        JsonSchema.FromText(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "schemas", "invoke-result.schema.json"))));

    /// <summary>Asserts stdout is exactly one JSON object line that the schema accepts, and returns it.</summary>
    public static JsonElement Single(CliOutcome outcome)
    {
        var lines = outcome.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected exactly one line on stdout\n{outcome}");
        using var document = JsonDocument.Parse(lines[0]);
        var root = document.RootElement.Clone();
        var results = Schema.Value.Evaluate(root, new EvaluationOptions { OutputFormat = OutputFormat.List });
        Assert.True(results.IsValid, $"stdout does not match invoke-result.schema.json: {JsonSerializer.Serialize(results)}\n{outcome}");
        Assert.Equal(outcome.ExitCode == 0, root.GetProperty("ok").GetBoolean());
        return root;
    }

    /// <summary>Asserts a failure object: its exit code, kind and mayHaveCommitted, and that its message is the Error: line's.</summary>
    public static JsonElement Failure(CliOutcome outcome, int exitCode, string kind, bool mayHaveCommitted)
    {
        var root = Single(outcome);
        Assert.True(outcome.ExitCode == exitCode, outcome.ToString());
        var error = root.GetProperty("error");
        Assert.Equal(exitCode, error.GetProperty("exitCode").GetInt32());
        Assert.Equal(kind, error.GetProperty("kind").GetString());
        Assert.Equal(mayHaveCommitted, error.GetProperty("mayHaveCommitted").GetBoolean());
        Assert.StartsWith("Error: " + error.GetProperty("message").GetString(), Assert.Single(outcome.ErrorLines), StringComparison.Ordinal);
        return root;
    }
}
