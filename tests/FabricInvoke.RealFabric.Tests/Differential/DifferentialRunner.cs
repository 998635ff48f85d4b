using System.Globalization;
using FabricInvoke.RealFabric.Tests.Infrastructure;
using Xunit.Sdk;

namespace FabricInvoke.RealFabric.Tests.Differential;

/// <summary>
/// Runs one row of <see cref="Scenarios"/> on a target — the Go CLI and fabinvoke at once on real Fabric, fabinvoke
/// alone on DevNet — and fails with every difference found: the outcome class, committed or not (read back from the
/// ledger), the nodes the error names, the committed-at peers.
/// </summary>
public static class DifferentialRunner
{
    private const int MaxConcurrencyRounds = 4;

    /// <summary>The row <paramref name="name"/> on <paramref name="target"/>; on real Fabric against the Go CLI too.</summary>
    public static async Task Run(IScenarioTarget target, string name)
    {
        var scenario = Scenarios.Named(name);
        var clis = target.HasGoCli ? new[] { Cli.Go, Cli.Fabinvoke } : [Cli.Fabinvoke];
        var contexts = clis.ToDictionary(c => c, c => new ScenarioContext(target, $"{scenario.Name}-{c.Tag}-{Guid.NewGuid():N}"[..^20] + scenario.KeySuffix));
        try
        {
            if (scenario.Prepared is { } prepared)
            {
                await Task.WhenAll(contexts.Values.Select(c => Prepare(target, c, prepared)));
            }

            Dictionary<Cli, RunResult> runs;
            if (scenario.Stops is { } node)
            {
                await target.Stop(node);
                try
                {
                    runs = await RunAll(scenario, contexts);
                }
                finally
                {
                    await target.Heal();
                }
            }
            else
            {
                runs = await RunAll(scenario, contexts);
            }

            var found = await Task.WhenAll(runs.Select(r => Check(scenario, target, r.Key, r.Value,
                r.Key == Cli.Fabinvoke ? scenario.FabinvokeDeliberately ?? scenario.Expected : scenario.Expected)));
            var problems = found.SelectMany(p => p).ToList();

            if (runs.Count == 2 && scenario.SamePeersCommitted && scenario.Copies == 1
                && runs.Values.All(r => r.Classes[0] == OutcomeClass.Success))
            {
                var go = Outcomes.CommittedAt(runs[Cli.Go].Outcomes[0]);
                var fi = Outcomes.CommittedAt(runs[Cli.Fabinvoke].Outcomes[0]);
                if (!go.SequenceEqual(fi))
                {
                    problems.Add($"committed at: Go CLI [{string.Join(", ", go)}], fabinvoke [{string.Join(", ", fi)}]");
                }
            }

            Assert.True(problems.Count == 0,
                $"{scenario.Name} on {target.Name}: expected {scenario.Expected}"
                + (scenario.FabinvokeDeliberately is { } d ? $" (fabinvoke: {d}, deliberately)" : "") + "\n  "
                + string.Join("\n  ", problems) + "\n"
                + string.Join("\n", runs.Select(r => string.Join("\n", r.Value.Outcomes.Select(o => $"=== {r.Key.Tag}: {r.Value.Args}\n{Outcomes.Plain(o.ToString())}")))));
        }
        finally
        {
            foreach (var c in contexts.Values)
            {
                c.Dispose();
            }
        }
    }

    private static async Task<Dictionary<Cli, RunResult>> RunAll(Scenario scenario, Dictionary<Cli, ScenarioContext> contexts)
    {
        var runs = await Task.WhenAll(contexts.Select(async c => (c.Key, Result: await RunOne(scenario, c.Key, c.Value))));
        return runs.ToDictionary(r => r.Key, r => r.Result);
    }

    private static async Task<RunResult> RunOne(Scenario scenario, Cli cli, ScenarioContext context)
    {
        for (var round = 1; ; round++)
        {
            var command = scenario.Build(context);
            var args = cli == Cli.Go ? command.Args : command.FabinvokeArgs ?? command.Args;
            var outcomes = await Task.WhenAll(Enumerable.Range(0, scenario.Copies).Select(_ => cli == Cli.Go
                ? context.Target.PeerCli(command.Environment, [.. args])
                : context.Target.Fabinvoke(command.Environment, [.. args])));
            var classes = outcomes.Select(o => cli == Cli.Go ? Outcomes.OfGoCli(o) : Outcomes.OfFabinvoke(o)).ToList();
            var run = new RunResult(context, string.Join(' ', args), outcomes, classes);

            // Concurrent copies conflict when they endorse before either commits: usual, not certain (a copy endorsed
            // between the two peers' commits fails endorsement instead). Another round on a new key until one was
            // invalidated, so that both CLIs are seen reporting an MVCC conflict.
            if (scenario.Copies == 1 || classes.Contains(OutcomeClass.Invalidated) || round == MaxConcurrencyRounds)
            {
                return run;
            }

            context = new ScenarioContext(context.Target, $"{scenario.Name}-{cli.Tag}-{Guid.NewGuid():N}"[..^20]);
        }
    }

    private static async Task<List<string>> Check(Scenario scenario, IScenarioTarget target, Cli cli, RunResult run, OutcomeClass expected)
    {
        var problems = new List<string>();
        var who = cli == Cli.Go ? "Go CLI" : "fabinvoke";
        if (scenario.Copies == 1)
        {
            if (run.Classes[0] != expected)
            {
                problems.Add($"{who}: {run.Classes[0]} (exit {run.Outcomes[0].ExitCode}: {Error(cli, run.Outcomes[0])})");
            }
        }
        // A copy endorsed while one peer had committed an earlier copy and the other had not gets different answers
        // from the two peers: an endorsement failure (payloads do not match), for both CLIs alike.
        else if (!run.Classes.All(c => c is OutcomeClass.Success or OutcomeClass.Invalidated or OutcomeClass.Endorsement) || !run.Classes.Contains(expected))
        {
            problems.Add($"{who}: {scenario.Copies} concurrent copies gave [{string.Join(", ", run.Classes)}], expected {expected} among successes (or endorsement failures)");
        }

        if (scenario.Writes)
        {
            var successes = run.Classes.Count(c => c == OutcomeClass.Success);
            var want = scenario.Copies > 1
                ? successes == 0 ? null : successes.ToString(CultureInfo.InvariantCulture)
                : scenario.Expected == OutcomeClass.Success ? scenario.Value : scenario.Prepared;
            var got = await target.ReadBack(run.Context.Key);
            if (got != want)
            {
                problems.Add($"{who}: the ledger holds {Show(got)} under {run.Context.Key}, expected {Show(want)}"
                    + (scenario.Copies > 1 ? $" (the number of successes)" : scenario.Expected == OutcomeClass.Success ? " (committed)" : " (nothing committed)"));
            }
        }

        if (scenario.CommitByTxid)
        {
            if (Outcomes.Txid(run.Outcomes[0]) is not { } txid)
            {
                problems.Add($"{who}: printed no txid");
            }
            else if (await target.InBlock(txid) is { } inBlock && inBlock != (scenario.Expected == OutcomeClass.Success))
            {
                problems.Add($"{who}: txid {txid} {(inBlock ? "is" : "is not")} in a block");
            }
        }

        foreach (var outcome in run.Outcomes)
        {
            var outcomeClass = cli == Cli.Go ? Outcomes.OfGoCli(outcome) : Outcomes.OfFabinvoke(outcome);
            if (outcomeClass == OutcomeClass.Success)
            {
                if (scenario.Prints is { } prints && outcome.Stdout != prints)
                {
                    problems.Add($"{who}: printed '{outcome.Stdout}', expected '{prints}'");
                }

                continue;
            }

            var blamed = scenario.Blamed?.Invoke(run.Context)
                ?? (outcomeClass is OutcomeClass.Endorsement or OutcomeClass.Invalidated ? [target.PeerAddress(1), target.PeerAddress(2)] : null);
            if (blamed is not null)
            {
                var error = Error(cli, outcome);
                var named = Outcomes.Named(error, [.. target.NodeAddresses, ScenarioContext.BlackHole, ScenarioContext.Closed]);
                if (named.Except(blamed).Any() || (cli == Cli.Fabinvoke && named.Count == 0))
                {
                    problems.Add($"{who}: the error names [{string.Join(", ", named)}], expected {(cli == Cli.Fabinvoke ? "one or more of" : "only")} [{string.Join(", ", blamed)}]");
                }
            }
        }

        if (cli == Cli.Fabinvoke)
        {
            foreach (var outcome in run.Outcomes)
            {
                try
                {
                    outcome.AssertWellBehaved();
                }
                catch (XunitException e)
                {
                    problems.Add($"fabinvoke: {e.Message.Split('\n')[0]}");
                }
            }

            if (scenario.FabinvokeErrorSays is { } says && !Error(cli, run.Outcomes[0]).Contains(says, StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"fabinvoke: the error does not say '{says}'");
            }
        }

        return problems;
    }

    private static async Task Prepare(IScenarioTarget target, ScenarioContext context, string value)
    {
        var args = context.Invoke(ScenarioContext.Args("Put", context.Key, value));
        var outcome = target.HasGoCli
            ? await target.PeerCli(new Dictionary<string, string?>(), [.. args])
            : await target.Fabinvoke(new Dictionary<string, string?>(), [.. args]);
        Assert.True(outcome.ExitCode == 0, $"preparing {context.Key} = {value} on {target.Name}\n{outcome}");
    }

    private static string Error(Cli cli, CliOutcome outcome) => cli == Cli.Go ? Outcomes.GoError(outcome) : Outcomes.FabinvokeError(outcome);

    private static string Show(string? value) => value is null ? "nothing" : $"'{value}'";

    private sealed record Cli(string Tag)
    {
        public static readonly Cli Go = new("go");
        public static readonly Cli Fabinvoke = new("fi");
    }

    private sealed record RunResult(ScenarioContext Context, string Args, IReadOnlyList<CliOutcome> Outcomes, IReadOnlyList<OutcomeClass> Classes);
}
