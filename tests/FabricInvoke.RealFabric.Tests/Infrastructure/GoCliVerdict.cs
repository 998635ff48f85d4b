namespace FabricInvoke.RealFabric.Tests.Infrastructure;

/// <summary>
/// What the Go <c>peer chaincode invoke … --waitForEvent</c> makes of a doctor test's settings: the same flags and
/// environment (fabinvoke takes the peer CLI's), run on the same network. A setup doctor calls broken must fail there
/// too (the Go CLI exits 1 for every failure, so only success versus failure is compared), a healthy one must succeed:
/// doctor's verdict is then the reference CLI's, not only fabinvoke's own invoke's.
/// </summary>
public static class GoCliVerdict
{
    /// <summary>
    /// Runs the Go CLI with <paramref name="invokeArgs"/> (<c>chaincode invoke …</c>; <c>--waitForEvent</c> added when
    /// missing) and <paramref name="env"/>, and asserts it succeeds exactly when <paramref name="fabinvokeExitCode"/> is 0.
    /// Not for <c>--gateway</c> or <c>--endorsingOrganizations</c>: the peer CLI has neither.
    /// </summary>
    public static async Task<CliOutcome> AssertAgrees(RealNetwork network, IReadOnlyDictionary<string, string?> env, IReadOnlyList<string> invokeArgs, int fabinvokeExitCode)
    {
        if (invokeArgs.Contains("--gateway") || invokeArgs.Contains("--endorsingOrganizations"))
        {
            throw new ArgumentException("the Go peer CLI has no --gateway or --endorsingOrganizations", nameof(invokeArgs));
        }

        string[] args = invokeArgs.Contains("--waitForEvent") ? [.. invokeArgs] : [.. invokeArgs, "--waitForEvent"];
        var go = await network.PeerCli(env, args);

        var verdict = $"fabinvoke exits {fabinvokeExitCode}; the Go peer CLI exited {go.ExitCode} ({Outcomes.OfGoCli(go)}: {Outcomes.GoError(go)})\n"
            + $"peer {string.Join(' ', args)}\n{Outcomes.Plain(go.ToString())}";
        Assert.True((go.ExitCode == 0) == (fabinvokeExitCode == 0), verdict);
        return go;
    }
}
