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
    TimeProvider Time);

/// <summary>
/// Runs the doctor's checks in the order an invoke meets what they check: the identity (loaded first, as the invoke
/// loads it), the TLS files, each node's TCP connect and TLS handshake, and then — when the identity loaded and at
/// least one peer answered — the stages (<see cref="DoctorStages"/>) over the invoke's own connections. Sends no
/// transaction. The first failing check's kind is the invoke's.
/// </summary>
internal static class DoctorPipeline
{
    /// <param name="stages">The stages after the node checks (<see cref="DoctorStages.After"/>).</param>
    public static async Task<IReadOnlyList<DoctorCheck>> RunAsync(
        DoctorInput input, Func<NodeReport, IReadOnlyList<Func<DoctorContext, CancellationToken, Task<IReadOnlyList<DoctorCheck>>>>> stages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(stages);
        var checks = new List<DoctorCheck>();
        var (identity, signer) = IdentityChecks.Run(input.MspConfigPath, input.MspId, input.Time);
        checks.AddRange(identity);
        using (signer)
        {
            var nodes = await NodeChecks.RunAsync(input.Connections, input.Time, cancellationToken).ConfigureAwait(false);
            checks.AddRange(nodes.Checks);
            var skipped = signer is null ? "the signing identity did not load"
                : nodes.FilesFailed ? "a TLS file cannot be used"
                : !nodes.AnyPeerReachable ? "no peer could be reached"
                : null;
            if (skipped is not null)
            {
                checks.Add(new DoctorCheck("channel", input.ChannelId, CheckOutcome.Skipped, $"services, channel and chaincode not checked: {skipped}"));
                return checks;
            }

            using var connections = ChaincodeCmdFactory.Create(input.Connections, signer!, time: input.Time);
            var context = new DoctorContext(connections, input.ChannelId, input.ChaincodeName, input.InitRequired, input.Gateway, input.EndorsingOrganizations, input.RequestTimeout, input.Time);
            foreach (var stage in stages(nodes))
            {
                checks.AddRange(await stage(context, cancellationToken).ConfigureAwait(false));
            }
        }

        return checks;
    }

    /// <summary>The first failing check, whose kind is the failure an invoke would have had; null when none fails.</summary>
    public static DoctorCheck? FirstFailure(IReadOnlyList<DoctorCheck> checks) => checks.FirstOrDefault(c => c.Outcome == CheckOutcome.Fail);
}
