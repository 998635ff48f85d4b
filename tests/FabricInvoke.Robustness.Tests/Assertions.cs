using FabricInvoke.Core.Errors;

namespace FabricInvoke.Robustness.Tests;

/// <summary>The shape every user-facing failure must have.</summary>
internal static class Assertions
{

    /// <summary>Runs <paramref name="action"/>: it may succeed, or fail with <paramref name="kind"/> and a one-line message. Any other exception escapes and fails the property.</summary>
    /// <returns>The failure, or null when the action succeeded.</returns>
    public static FabricInvokeException? SucceedsOr(FailureKind kind, Action action)
    {
        try
        {
            action();
            return null;
        }
        catch (FabricInvokeException e)
        {
            Assert.True(e.Kind == kind, $"expected {kind}, got {e.Kind}: {e.Message}");
            AssertOneLine(e.Message);
            return e;
        }
    }

    public static void AssertOneLine(string message)
    {
        Assert.False(string.IsNullOrWhiteSpace(message), "empty message");
        Assert.False(message.Any(c => (char.IsControl(c) && c != '\t') || c is '\u2028' or '\u2029'),
            $"message spans several lines or holds control characters: {System.Text.Json.JsonSerializer.Serialize(message)}");
    }
}
