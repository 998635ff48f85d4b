using System.Diagnostics;
using FabricInvoke.Core.Connections;
using FabricInvoke.Core.Delivery;
using FabricInvoke.Core.Diagnostics;
using FabricInvoke.Core.Identity;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FabricInvoke.Core;

/// <summary>
/// A connection to a Fabric network as one identity (fabric-gateway's Gateway): <see cref="GetNetwork"/> →
/// <see cref="FabricNetwork.GetContract"/> → submit and evaluate. Thread-safe: create one and share it between all
/// callers; its channels are multiplexed. Dispose it to close the channels it made (never a caller's).
/// No process-wide effect: nothing here touches the environment or global state.
/// </summary>
public sealed class FabricClient : IAsyncDisposable, IDisposable
{
    /// <summary>The name of the <see cref="System.Diagnostics.ActivitySource"/> whose spans (one per stage) the client emits.</summary>
    public const string ActivitySourceName = "FabricInvoke";

    internal static readonly ActivitySource Activities = new(ActivitySourceName);

    private readonly ChaincodeCmdFactory _connections;
    private readonly bool _ownsConnections;
    private int _disposed;

    private FabricClient(
        FabricClientOptions options, ChaincodeCmdFactory connections, SigningIdentity signer, ILogger logger, IProgressObserver observer, StageSettings stages, bool ownsConnections)
    {
        Options = options;
        _connections = connections;
        Signer = signer;
        Logger = logger;
        Observer = observer;
        Stages = stages;
        _ownsConnections = ownsConnections;
    }

    /// <summary>The options the client was made with.</summary>
    public FabricClientOptions Options { get; }

    /// <summary>The client's identity.</summary>
    public ClientIdentity Identity => Options.Identity;

    internal SigningIdentity Signer { get; }

    internal ILogger Logger { get; }

    internal ChaincodeCmdFactory Connections => _connections;

    internal TimeProvider Time => _connections.Time;

    /// <summary>Told about each stage as it completes (a front end's progress lines); the client's logger otherwise.</summary>
    internal IProgressObserver Observer { get; }

    /// <summary>What the stages do beyond the public options: whether to wait for commits, and for whose.</summary>
    internal StageSettings Stages { get; }

    /// <summary>
    /// A client over connections a front end made and keeps (the CLI's, resolved from its flags): the same stages, told
    /// to <paramref name="observer"/>; disposing the client leaves the connections and the signer open.
    /// </summary>
    internal static FabricClient Over(
        ChaincodeCmdFactory connections, SubmitPath path, TimeSpan requestTimeout, TimeSpan commitTimeout, StageSettings stages, IProgressObserver observer)
    {
        var options = new FabricClientOptions
        {
            Identity = connections.Signer.Identity,
            Signer = connections.Signer,
            Peers = [],
            Path = path,
            EndorseTimeout = requestTimeout,
            SubmitTimeout = requestTimeout,
            CommitStatusTimeout = commitTimeout,
            TimeProvider = connections.Time,
        };
        return new FabricClient(options, connections, connections.Signer, NullLogger.Instance, observer, stages, ownsConnections: false);
    }

    /// <summary>
    /// Creates the client and its channels (they connect on first use). TLS files are read now, so a bad one fails here.
    /// </summary>
    /// <param name="options">Identity, signer, endpoints and deadlines.</param>
    /// <returns>The client; dispose it when done.</returns>
    /// <exception cref="Errors.FabricInvokeException">Usage (no peer, a bad address) or Config (a TLS file cannot be used).</exception>
    public static FabricClient Create(FabricClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Identity);
        if (options.Peers is not { Count: > 0 })
        {
            throw Errors.Failures.Usage("a client needs at least one peer");
        }

        var time = options.TimeProvider ?? TimeProvider.System;
        var logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("FabricInvoke.Client");
        var observer = new LoggingObserver(logger);
        var transport = new Configuration.TransportSettings(options.ConnectTimeout, options.ClientCertificate);
        var tls = new TlsMaterial();
        var made = new List<NodeConnection>();
        try
        {
            NodeConnection Connect(FabricEndpoint endpoint, string role)
            {
                var connection = endpoint.Channel is { } channel
                    ? NodeConnection.FromChannel(role, channel, endpoint.Address, options.ConnectTimeout, observer, time)
                    : NodeConnection.Create(role, endpoint.ToNodeEndpoint(role), transport, observer, time, tls);
                made.Add(connection);
                return connection;
            }

            var peers = options.Peers.Select(p => Connect(p, "peer")).ToList();
            var orderers = options.Orderers.Select(o => Connect(o, "orderer")).ToList();
            var signer = new SigningIdentity(options.Identity, options.Signer);
            var connections = ChaincodeCmdFactory.FromConnections(signer, peers, orderers, options.ClientCertificate is not null, time, tls);
            return new FabricClient(options, connections, signer, logger, observer, StageSettings.Default, ownsConnections: true);
        }
        catch
        {
            made.ForEach(c => c.Dispose());
            tls.Dispose();
            throw;
        }
    }

    /// <summary>The channel <paramref name="channelName"/> as this client sees it.</summary>
    /// <param name="channelName">The channel, e.g. <c>mychannel</c>.</param>
    /// <returns>A lightweight view; get it as often as you like.</returns>
    public FabricNetwork GetNetwork(string channelName)
    {
        ArgumentException.ThrowIfNullOrEmpty(channelName);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return new FabricNetwork(this, channelName);
    }

    /// <summary>Closes the channels the client made; caller-owned channels stay open. Idempotent.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && _ownsConnections)
        {
            _connections.Dispose();
            Signer.Dispose();
        }
    }

    /// <summary>As <see cref="Dispose"/>.</summary>
    /// <returns>A completed task.</returns>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>A span for one stage, tagged with what identifies it.</summary>
    internal static Activity? StartActivity(string stage, string? txId, string channel, string? chaincode, string? endpoint)
    {
        var activity = Activities.StartActivity(stage, ActivityKind.Client);
        if (activity is not null)
        {
            activity.SetTag("fabric.txid", txId);
            activity.SetTag("fabric.channel", channel);
            activity.SetTag("fabric.chaincode", chaincode);
            activity.SetTag("fabric.endpoint", endpoint);
        }

        return activity;
    }

    /// <summary>Marks a span failed.</summary>
    internal static void Failed(Activity? activity, Exception e)
    {
        activity?.SetStatus(ActivityStatusCode.Error, e.Message);
        activity?.SetTag("fabric.failure", e.GetType().Name);
    }

    /// <summary>Connect retries and warnings to the client's logger.</summary>
    private sealed class LoggingObserver(ILogger logger) : IProgressObserver
    {
        private static readonly Action<ILogger, string, Exception?> WarningMessage =
            LoggerMessage.Define<string>(LogLevel.Warning, new EventId(1, "Warning"), "{Message}");

        private static readonly Action<ILogger, string, string, string, TimeSpan, Exception?> RetryMessage =
            LoggerMessage.Define<string, string, string, TimeSpan>(LogLevel.Information, new EventId(2, "Retry"), "{Role} {Address}: {Problem}; retrying in {Delay}");

        public void Warning(string message) => WarningMessage(logger, message, null);

        public void Retrying(RetryNotice notice) => RetryMessage(logger, notice.Role, notice.Address, notice.Problem, notice.Delay, null);

        public void Reconnecting(RetryNotice notice) => RetryMessage(logger, notice.Role, notice.Address, notice.Problem, notice.Delay, null);
    }
}

/// <summary>What the stages do beyond <see cref="FabricClientOptions"/> (the CLI's --waitForEvent and --waitFor).</summary>
/// <param name="WaitForCommit">Open the deliver streams, to wait for the commit (direct path).</param>
/// <param name="CommitPolicy">Whose commit reports to wait for.</param>
internal sealed record StageSettings(bool WaitForCommit, CommitPolicy CommitPolicy)
{
    /// <summary>A library client's: wait for every peer.</summary>
    public static StageSettings Default { get; } = new(true, CommitPolicy.All);
}

/// <summary>What a peer reported for a transaction it committed (fabric-gateway's Status).</summary>
/// <param name="TxId">The transaction id.</param>
/// <param name="Code">The validation code (VALID, MVCC_READ_CONFLICT, …).</param>
/// <param name="BlockNumber">The block the transaction is in.</param>
/// <param name="Commits">Each peer's report (one, the gateway's, through a Gateway).</param>
public sealed record TransactionStatus(string TxId, Protos.Peer.TxValidationCode Code, ulong BlockNumber, IReadOnlyList<PeerCommit> Commits)
{
    /// <summary>True when the transaction committed VALID.</summary>
    public bool IsSuccessful => Code == Protos.Peer.TxValidationCode.Valid;
}
