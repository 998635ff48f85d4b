using System.Text.Json.Serialization;

namespace FabricInvoke.DevNet.Host.Protocol;

/// <summary>
/// One line fabinvoke-devnet writes on its stdout for the fabinvoke process that started it: a JSON object whose
/// <see cref="Event"/> says which of the other members are set. This file is compiled into both programs (the host writes,
/// the CLI reads), so the two always agree on the shape.
/// </summary>
internal sealed record HostEvent
{
    /// <summary>A node or folder event, as it happens (<see cref="Kind"/>, <see cref="Node"/>, <see cref="Message"/>).</summary>
    public const string Diagnostic = "diagnostic";

    /// <summary>The network runs (or was attached to): <see cref="Network"/>.</summary>
    public const string Ready = "ready";

    /// <summary>The network could not be started or attached to: <see cref="Failure"/>. The host exits after it.</summary>
    public const string Failed = "failure";

    /// <summary>The network was stopped and the folder released; the host exits after it.</summary>
    public const string Stopped = "stopped";

    public required string Event { get; init; }

    /// <summary>For a diagnostic: the name of its DevNetDiagnosticKind ("WaitingForOwner", "LedgerWriteFailed", …).</summary>
    public string? Kind { get; init; }

    /// <summary>A diagnostic that reports progress (waiting for the folder, a ledger write recovered), not a problem.</summary>
    [JsonIgnore]
    public bool IsInformational => Kind is "WaitingForOwner" or "LedgerWriteRecovered";

    public string? Node { get; init; }

    public string? Message { get; init; }

    public HostNetwork? Network { get; init; }

    public HostFailure? Failure { get; init; }
}

/// <summary>What a ready network is: everything fabinvoke prints about it or needs to use it.</summary>
internal sealed record HostNetwork
{
    public required string Channel { get; init; }

    public required HostEndpoint Orderer { get; init; }

    public required IReadOnlyList<HostEndpoint> Peers { get; init; }

    /// <summary>User1 of each organisation, org 1 first.</summary>
    public required IReadOnlyList<HostIdentity> Users { get; init; }

    /// <summary>True when the host attached to a network another process (<c>devnet up</c>) runs.</summary>
    public bool Attached { get; init; }

    /// <summary>The process that owns the folder: the host itself when it started the network.</summary>
    public int? OwnerPid { get; init; }

    public string? Directory { get; init; }

    public string? OrganizationsDirectory { get; init; }

    public string? EnvironmentFile { get; init; }

    public string? ConnectionProfileFile { get; init; }

    public string? SummaryFile { get; init; }

    public bool Durable { get; init; }
}

/// <summary>One node: name, MSP, "127.0.0.1:port" and the TLS root to trust for it.</summary>
internal sealed record HostEndpoint(string Name, string MspId, string Address, string TlsRootCertFile);

/// <summary>A client identity: MSP id and MSP folder.</summary>
internal sealed record HostIdentity(string MspId, string MspDirectory);

/// <summary>Why the network did not start, with the fields fabinvoke words its one-line message from.</summary>
internal sealed record HostFailure
{
    /// <summary>The folder is owned by another process.</summary>
    public const string Busy = "busy";

    /// <summary>A ledger file is damaged.</summary>
    public const string Ledger = "ledger";

    /// <summary>The crypto material is unusable.</summary>
    public const string Material = "material";

    /// <summary>Files cannot be written or read, or a port cannot be bound.</summary>
    public const string Io = "io";

    /// <summary>The arguments were refused (a fabinvoke/host mismatch: fabinvoke checks every option first).</summary>
    public const string Invalid = "invalid";

    /// <summary>An unexpected error in the host.</summary>
    public const string Internal = "internal";

    public required string Type { get; init; }

    /// <summary>The lock file (busy), the damaged block file (ledger) or the offending file (material).</summary>
    public string? File { get; init; }

    public string? Problem { get; init; }

    public ulong? Block { get; init; }

    /// <summary>Where in <see cref="File"/> the damage is (ledger).</summary>
    public long? Offset { get; init; }

    public int? OwnerPid { get; init; }

    public string? OwnerDescription { get; init; }

    /// <summary>How long the host queued for the folder before it gave up (busy); 0: it did not wait.</summary>
    public double? WaitedMs { get; init; }

    /// <summary>The error's own message (io, invalid, internal).</summary>
    public string? Message { get; init; }

    /// <summary>The exception type (internal).</summary>
    public string? ErrorType { get; init; }
}

/// <summary>Source-generated (AOT- and trim-safe) JSON for <see cref="HostEvent"/>: camelCase, nulls left out, one line.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = false)]
[JsonSerializable(typeof(HostEvent))]
internal sealed partial class HostEventJson : JsonSerializerContext;
