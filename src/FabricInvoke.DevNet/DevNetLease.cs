using System.Diagnostics;
using FabricInvoke.DevNet.Hosting;
using FabricInvoke.DevNet.Storage;

namespace FabricInvoke.DevNet;

/// <summary>
/// A DevNet network one command can use for its lifetime: either one it started and owns (the folder was free, or
/// its one-shot owner finished while this one queued) or a running attachable network (<c>devnet up</c>) it attached to
/// through <c>devnet.json</c>. Either way, two processes never write the same ledger. Disposing stops an owned network
/// and leaves an attached one running.
/// </summary>
public sealed class DevNetLease : IAsyncDisposable
{
    private static readonly TimeSpan MaxPoll = TimeSpan.FromMilliseconds(250);

    private readonly IReadOnlyDictionary<(int Org, string User), DevIdentity> _users;

    private DevNetLease(
        DevNetwork? network,
        int? ownerProcessId,
        string channelId,
        DevNetEndpoint orderer,
        IReadOnlyList<DevNetEndpoint> peers,
        IReadOnlyDictionary<(int Org, string User), DevIdentity> users)
    {
        Network = network;
        OwnerProcessId = ownerProcessId;
        ChannelId = channelId;
        Orderer = orderer;
        Peers = peers;
        _users = users;
    }

    /// <summary>The network this lease started, or null when it attached to another process's network.</summary>
    public DevNetwork? Network { get; }

    /// <summary>True when attached to a network another process (<c>devnet up</c>) runs.</summary>
    public bool IsAttached => Network is null;

    /// <summary>When attached, the process that runs the network.</summary>
    public int? OwnerProcessId { get; }

    /// <summary>The channel every peer has joined.</summary>
    public string ChannelId { get; }

    /// <summary>The orderer.</summary>
    public DevNetEndpoint Orderer { get; }

    /// <summary>Every peer, org by org.</summary>
    public IReadOnlyList<DevNetEndpoint> Peers { get; }

    /// <summary>User1@org{N}.example.com (N is 1-based).</summary>
    /// <exception cref="ArgumentOutOfRangeException">There is no such org.</exception>
    public DevIdentity User(int org) =>
        _users.TryGetValue((org, "User1"), out var user) ? user : throw new ArgumentOutOfRangeException(nameof(org), org, "no such organisation in this network");

    /// <summary>
    /// Uses the network in <see cref="DevNetOptions.Directory"/>: attaches when an attachable owner runs it, otherwise
    /// starts it, queueing up to <see cref="DevNetOptions.LockWait"/> behind a one-shot owner (or behind an attachable
    /// owner that is still starting).
    /// </summary>
    /// <exception cref="DevNetBusyException">The folder stayed owned (and not attachable) for all of <see cref="DevNetOptions.LockWait"/>.</exception>
    /// <exception cref="DevNetMaterialException">The crypto material on disk is incomplete or inconsistent.</exception>
    /// <exception cref="DevNetLedgerException">A ledger file is damaged, or a peer is ahead of its orderer.</exception>
    /// <exception cref="IOException">Files cannot be written, or a port cannot be bound.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while waiting or starting.</exception>
    public static async Task<DevNetLease> OpenAsync(DevNetOptions options, CancellationToken cancellationToken = default)
    {
        DevNetwork.Validate(options);
        var root = Path.GetFullPath(options.Directory);
        var diagnostics = new DiagnosticSink(options.Diagnostics);
        var once = options with { LockWait = TimeSpan.Zero };
        var started = Stopwatch.GetTimestamp();
        var delay = TimeSpan.FromMilliseconds(20);
        var reported = false;
        while (true)
        {
            DevNetOwner? owner;
            try
            {
                var network = await DevNetwork.StartAsync(once, cancellationToken).ConfigureAwait(false);
                var mine = network.Published();
                return new DevNetLease(network, ownerProcessId: null, mine.ChannelId, mine.Orderer, mine.Peers, mine.Users);
            }
            catch (DevNetBusyException busy)
            {
                owner = busy.Owner;
            }

            if (owner is { Attachable: true }
                && DevNetSummaryFile.TryRead(root, owner.ProcessId) is { } published
                && DevNetFolderLock.IsRunning(owner.ProcessId))
            {
                return new DevNetLease(null, owner.ProcessId, published.ChannelId, published.Orderer, published.Peers, published.Users);
            }

            var waited = Stopwatch.GetElapsedTime(started);
            if (waited >= options.LockWait)
            {
                throw new DevNetBusyException(Path.Combine(root, "devnet.lock"), owner, options.LockWait == TimeSpan.Zero ? TimeSpan.Zero : waited);
            }

            if (!reported)
            {
                reported = true;
                diagnostics.Report(DevNetDiagnosticKind.WaitingForOwner, "devnet",
                    $"{root} is in use by {(owner is null ? "another process" : $"process {owner.ProcessId} ({owner.Description})")}; waiting up to {options.LockWait.TotalSeconds:0.###}s for it");
            }

            var left = options.LockWait - waited;
            await Task.Delay(delay < left ? delay : left, cancellationToken).ConfigureAwait(false);
            delay = delay * 2 < MaxPoll ? delay * 2 : MaxPoll;
        }
    }

    /// <summary>Stops the network when this lease started it; an attached network keeps running.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Network is not null)
        {
            await Network.DisposeAsync().ConfigureAwait(false);
        }
    }
}
