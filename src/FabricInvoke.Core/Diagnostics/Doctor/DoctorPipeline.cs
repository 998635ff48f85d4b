using FabricInvoke.Core.Configuration;
using FabricInvoke.Core.Connections;
using FabricInvoke.Core.Errors;

namespace FabricInvoke.Core.Diagnostics.Doctor;

/// <summary>What <c>doctor</c> checks: the settings an invoke would run with, nothing else.</summary>
internal sealed record DoctorInput(
    ConnectionSettings Connections,
    string MspConfigPath,
    string MspId,
    string ChannelId,
    string ChaincodeName,
    bool InitRequired,
    bool Gateway,
    IReadOnlyList<string> EndorsingOrganizations,
    TimeSpan RequestTimeout,
    TimeProvider Time,
    DoctorTimings? Timings = null);

/// <summary>
/// Runs the doctor's checks and reports them in the order an invoke meets what they check: the identity (loaded first,
/// as the invoke loads it), the TLS files, each node's TCP connect and TLS handshake, the gRPC services of the nodes
/// that passed, and then — when the identity loaded and at least one peer answered — the stages
/// (<see cref="DoctorStages"/>) over the invoke's own connections. Work that does not depend on other work runs
/// alongside it: the node checks' connects and handshakes while the identity loads, and the invoke's connections with
/// their service probes (which need the identity) while the node checks finish; a probe's line is reported only for a
/// node that passed its TCP and TLS checks, as if it had been made after them. Sends no transaction. The first failing
/// check's kind is the invoke's.
/// </summary>
internal static class DoctorPipeline
{
    /// <param name="input">The settings an invoke would run with.</param>
    /// <param name="stages">The stages after the node and service checks (<see cref="DoctorStages.After"/>).</param>
    /// <param name="cancellationToken">Stops the checks.</param>
    public static async Task<IReadOnlyList<DoctorCheck>> RunAsync(
        DoctorInput input, Func<NodeReport, IReadOnlyList<Func<DoctorContext, CancellationToken, Task<IReadOnlyList<DoctorCheck>>>>> stages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(stages);
        var checks = new List<DoctorCheck>();
        var timings = input.Timings;

        // The nodes' TCP connects and TLS handshakes need nothing from the identity: they go on while it loads.
        var nodesStarted = timings?.Start() ?? 0;
        var nodesTask = NodeChecks.RunAsync(input.Connections, input.Time, cancellationToken);
        var phase = timings?.Start() ?? 0;
        var (identity, signer) = IdentityChecks.Run(input.MspConfigPath, input.MspId, input.Time);
        checks.AddRange(identity);
        timings?.Record("identity", phase);
        using (signer)
        {
            using var early = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            ChaincodeCmdFactory? connections = null;
            DoctorContext? context = null;
            IReadOnlyList<NodeChecks.ServiceProbe> probes = [];
            try
            {
                if (signer is not null)
                {
                    phase = timings?.Start() ?? 0;
                    connections = Connect(input, signer);
                    if (connections is not null)
                    {
                        context = new DoctorContext(connections, input.ChannelId, input.ChaincodeName, input.InitRequired, input.Gateway, input.EndorsingOrganizations, input.RequestTimeout, input.Time, timings);
                        probes = NodeChecks.StartServices(context, early.Token);
                    }

                    timings?.Record("invoke connections", phase);
                }

                var nodes = await nodesTask.ConfigureAwait(false);
                timings?.Record("nodes (TCP, TLS)", nodesStarted);
                checks.AddRange(nodes.Checks);
                var skipped = signer is null ? "the signing identity did not load"
                    : nodes.FilesFailed || context is null ? "a TLS file cannot be used"
                    : !nodes.AnyPeerReachable ? "no peer could be reached"
                    : null;
                if (skipped is not null)
                {
                    checks.Add(new DoctorCheck("channel", input.ChannelId, CheckOutcome.Skipped, $"services, channel and chaincode not checked: {skipped}"));
                    return checks;
                }

                checks.AddRange(await NodeChecks.ServicesOfAsync(probes, nodes.Reachable).ConfigureAwait(false));
                timings?.Record("services (alongside the nodes)", nodesStarted);
                var withNodes = context! with { AnsweringOrderers = nodes.Reachable.Where(n => n.Role == "orderer").Select(n => n.Address).ToHashSet(StringComparer.OrdinalIgnoreCase) };
                foreach (var stage in stages(nodes))
                {
                    checks.AddRange(await stage(withNodes, cancellationToken).ConfigureAwait(false));
                }
            }
            finally
            {
                // Probes of a run that stopped early (nothing to check past the nodes) end now, not at their timeout.
                await early.CancelAsync().ConfigureAwait(false);
                await NodeChecks.SettleAsync(probes).ConfigureAwait(false);
                connections?.Dispose();
            }
        }

        return checks;
    }

    /// <summary>The invoke's connections; null when a TLS file cannot be used (the node checks say which).</summary>
    private static ChaincodeCmdFactory? Connect(DoctorInput input, Identity.SigningIdentity signer)
    {
        try
        {
            return ChaincodeCmdFactory.Create(input.Connections, signer, time: input.Time);
        }
        catch (FabricInvokeException e) when (e.Kind == FailureKind.Config)
        {
            return null;
        }
    }

    /// <summary>The first failing check, whose kind is the failure an invoke would have had; null when none fails.</summary>
    public static DoctorCheck? FirstFailure(IReadOnlyList<DoctorCheck> checks) => checks.FirstOrDefault(c => c.Outcome == CheckOutcome.Fail);
}
