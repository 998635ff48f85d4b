using FabricInvoke.Cli.Output;
using FabricInvoke.Core.Configuration;
using FabricInvoke.Core.Events;
using FabricInvoke.Core.Invocation;
using FabricInvoke.Core.Transactions;
using Microsoft.Extensions.Configuration;

namespace FabricInvoke.Cli.Settings;

/// <summary>Everything one <c>chaincode invoke</c> needs, validated: whom to talk to, who signs, what to do, how to report.</summary>
internal sealed record InvokeCommandSettings(
    ConnectionSettings Connections,
    string MspId,
    string MspConfigPath,
    InvokeOptions Options,
    OutputFormat Output,
    string? DevNetDirectory)
{
    /// <summary>--no-progress (or FABINVOKE_NO_PROGRESS): no live status line even on a terminal.</summary>
    public bool NoProgress { get; init; }

    /// <summary>Where one source replaced another's list (a flag a connection profile's, say): one INFO line each.</summary>
    public IReadOnlyList<string> Notices { get; init; } = [];

    /// <summary>These settings on the running embedded network (<c>--devnet</c>): its peers, orderer and identity.</summary>
    public InvokeCommandSettings On(DevNetTarget devnet, IConfiguration environment) => this with
    {
        Connections = devnet.Connections(Connections, withOrderers: true),
        MspId = devnet.MspId,
        MspConfigPath = devnet.MspDirectory,
        Notices = devnet.UnusedVariablesNotice(environment) is { } notice ? [notice] : [],
    };
}

/// <summary>Everything one <c>chaincode query</c> needs, validated.</summary>
internal sealed record QueryCommandSettings(
    ConnectionSettings Connections,
    string MspId,
    string MspConfigPath,
    ChaincodeInvocation Invocation,
    TimeSpan RequestTimeout,
    bool Gateway,
    bool QueryAll,
    PayloadFormat Payload,
    OutputFormat Output,
    string? DevNetDirectory)
{
    /// <summary>Where one source replaced another's list (a flag a connection profile's, say): one INFO line each.</summary>
    public IReadOnlyList<string> Notices { get; init; } = [];

    /// <summary>These settings on the running embedded network (<c>--devnet</c>): its peers and identity.</summary>
    public QueryCommandSettings On(DevNetTarget devnet, IConfiguration environment) => this with
    {
        Connections = devnet.Connections(Connections, withOrderers: false),
        MspId = devnet.MspId,
        MspConfigPath = devnet.MspDirectory,
        Notices = devnet.UnusedVariablesNotice(environment) is { } notice ? [notice] : [],
    };
}

/// <summary>How a query prints its payload: as text (the bytes as they are), as Go prints a byte slice (-r), or in hex (-x).</summary>
internal enum PayloadFormat
{
    Text,
    Raw,
    Hex,
}

/// <summary>Which stream an <c>events</c> command follows.</summary>
internal enum EventStreamKind
{
    /// <summary><c>events chaincode</c>: a chaincode's events of valid transactions.</summary>
    Chaincode,

    /// <summary><c>events blocks</c>: one summary per block.</summary>
    Blocks,
}

/// <summary>Everything one <c>events chaincode</c> or <c>events blocks</c> needs, validated.</summary>
internal sealed record EventsCommandSettings(
    EventStreamKind Kind,
    ConnectionSettings Connections,
    string MspId,
    string MspConfigPath,
    string Channel,
    string? Chaincode,
    IReadOnlyCollection<string> EventNames,
    SeekFrom Start,
    CheckpointFile? Checkpoint,
    string? OutputFile,
    ulong? UntilBlock,
    long? Count,
    TimeSpan? Timeout,
    TimeSpan ReconnectTimeout,
    bool Gateway,
    OutputFormat Output);
