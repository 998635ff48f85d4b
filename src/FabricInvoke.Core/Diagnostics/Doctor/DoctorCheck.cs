using FabricInvoke.Core.Connections;
using FabricInvoke.Core.Errors;

namespace FabricInvoke.Core.Diagnostics.Doctor;

/// <summary>How one doctor check came out.</summary>
internal enum CheckOutcome
{
    /// <summary>Nothing wrong (✔).</summary>
    Pass,

    /// <summary>An invoke would fail here (✘); <see cref="DoctorCheck.Kind"/> is the failure class it would have had.</summary>
    Fail,

    /// <summary>Works now but deserves attention, e.g. a certificate expiring soon (!).</summary>
    Warn,

    /// <summary>Not run because an earlier check it depends on failed.</summary>
    Skipped,
}

/// <summary>
/// One line of <c>fabinvoke doctor</c>: which area (identity, tls, node, channel, chaincode, policy, gateway),
/// which subject (a file, a peer or orderer address, the channel, the chaincode), what was found and, when
/// something is wrong, the reason and the fix. No console and no flag names here: the CLI words flags.
/// </summary>
internal sealed record DoctorCheck(
    string Area,
    string Subject,
    CheckOutcome Outcome,
    string Summary,
    string? Reason = null,
    string? Fix = null,
    FailureKind? Kind = null,
    TimeSpan Elapsed = default);

/// <summary>
/// What the checks look at: the same connections, identity and call settings an invoke would use; where the time goes
/// (<see cref="Timings"/>, optional); and the given orderers that passed their TCP and TLS checks
/// (<see cref="AnsweringOrderers"/>, addresses; null when not known), which need no second connect to be known to answer.
/// </summary>
internal sealed record DoctorContext(
    ChaincodeCmdFactory Connections,
    string ChannelId,
    string ChaincodeName,
    bool InitRequired,
    bool Gateway,
    IReadOnlyList<string> EndorsingOrganizations,
    TimeSpan RequestTimeout,
    TimeProvider Time,
    DoctorTimings? Timings = null,
    IReadOnlySet<string>? AnsweringOrderers = null);
