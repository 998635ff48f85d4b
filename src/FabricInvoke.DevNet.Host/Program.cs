using System.Runtime.InteropServices;
using FabricInvoke.DevNet;
using FabricInvoke.DevNet.Host;
using FabricInvoke.DevNet.Host.Protocol;

// fabinvoke-devnet: runs the embedded network for the fabinvoke process that started it (see HostRequest for the
// arguments and Protocol/HostEvent.cs for what it writes on stdout). It runs until its stdin reaches end of file (the
// parent closed it, or died: a killed fabinvoke never leaves a network holding the folder) or SIGTERM comes; then it
// stops the network (last block cut, ledgers flushed, devnet.json/devnet.env removed, folder released), says "stopped"
// and exits 0. Its stderr is the parent's, for crashes only.
if (!HostRequest.TryParse(args, out var request, out var error))
{
    await Console.Error.WriteLineAsync($"fabinvoke-devnet: {error}\n{HostRequest.Usage}").ConfigureAwait(false);
    return 2;
}

var events = new EventWriter(Console.OpenStandardOutput());
var stop = new CancellationTokenSource();

// SIGINT: a terminal's Ctrl-C reaches the whole process group. `devnet up` has nothing else to do and stops at once;
// a one-shot command's network stays up until its fabinvoke, which got the same Ctrl-C, has reported the interrupted
// command and closed stdin.
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, signal =>
{
    signal.Cancel = true;
    if (request!.Attachable)
    {
        _ = Task.Run(stop.Cancel);
    }
});
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal =>
{
    signal.Cancel = true;
    _ = Task.Run(stop.Cancel);
});
var stdin = new Thread(() => WatchStdin(stop)) { IsBackground = true, Name = "stdin watcher" };
stdin.Start();

var options = request!.Options with
{
    Diagnostics = d => events.Write(new HostEvent { Event = HostEvent.Diagnostic, Kind = d.Kind.ToString(), Node = d.Node, Message = d.Message }),
};
IAsyncDisposable running;
try
{
    (running, var network) = request.Attachable ? await UpAsync(options, stop.Token).ConfigureAwait(false) : await LeaseAsync(options, stop.Token).ConfigureAwait(false);
    events.Write(new HostEvent { Event = HostEvent.Ready, Network = network });
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    events.Write(new HostEvent { Event = HostEvent.Stopped });
    return 0;
}
#pragma warning disable CA1031 // Every start-up failure goes to the parent as one event, which words it for the user.
catch (Exception e)
#pragma warning restore CA1031
{
    events.Write(new HostEvent { Event = HostEvent.Failed, Failure = Failure(e) });
    return 1;
}

try
{
    await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
}
catch (OperationCanceledException)
{
    // The normal end.
}

await running.DisposeAsync().ConfigureAwait(false);
events.Write(new HostEvent { Event = HostEvent.Stopped });
return 0;

static async Task<(IAsyncDisposable, HostNetwork)> UpAsync(DevNetOptions options, CancellationToken cancellationToken)
{
    var network = await DevNetwork.StartAsync(options, cancellationToken).ConfigureAwait(false);
    var orderer = new DevNetEndpoint(network.Orderer.Name, network.Orderer.MspId, network.Orderer.Address, network.Orderer.TlsRootCertFile);
    var peers = network.Peers.Select(p => new DevNetEndpoint(p.Name, p.MspId, p.Address, p.TlsRootCertFile)).ToList();
    var described = Describe(network.ChannelId, orderer, peers, network.User) with
    {
        OwnerPid = network.Owner.ProcessId,
        Directory = network.Directory,
        OrganizationsDirectory = network.OrganizationsDirectory,
        EnvironmentFile = network.EnvironmentFile,
        ConnectionProfileFile = network.ConnectionProfileFile,
        SummaryFile = network.SummaryFile,
        Durable = options.Durable,
    };
    return (network, described);
}

static async Task<(IAsyncDisposable, HostNetwork)> LeaseAsync(DevNetOptions options, CancellationToken cancellationToken)
{
    var lease = await DevNetLease.OpenAsync(options, cancellationToken).ConfigureAwait(false);
    var described = Describe(lease.ChannelId, lease.Orderer, lease.Peers, lease.User) with
    {
        Attached = lease.IsAttached,
        OwnerPid = lease.OwnerProcessId ?? Environment.ProcessId,
        Directory = options.Directory,
    };
    return (lease, described);
}

// What both modes tell fabinvoke: the channel, the nodes and User1 of each peer org.
static HostNetwork Describe(string channel, DevNetEndpoint orderer, IReadOnlyList<DevNetEndpoint> peers, Func<int, DevIdentity> user)
{
    var orgs = peers.Select(p => p.MspId).Distinct(StringComparer.Ordinal).Count();
    return new HostNetwork
    {
        Channel = channel,
        Orderer = Endpoint(orderer),
        Peers = [.. peers.Select(Endpoint)],
        Users = [.. Enumerable.Range(1, orgs).Select(org => Identity(user(org)))],
    };
}

static HostEndpoint Endpoint(DevNetEndpoint e) => new(e.Name, e.MspId, e.Address, e.TlsRootCertFile);

static HostIdentity Identity(DevIdentity user) => new(user.MspId, user.MspDirectory);

static HostFailure Failure(Exception e) => e switch
{
    DevNetBusyException busy => new HostFailure
    {
        Type = HostFailure.Busy,
        File = busy.LockFile,
        OwnerPid = busy.Owner?.ProcessId,
        OwnerDescription = busy.Owner?.Description,
        WaitedMs = busy.Waited.TotalMilliseconds,
        Message = busy.Message,
    },
    DevNetLedgerException ledger => new HostFailure { Type = HostFailure.Ledger, File = ledger.File, Block = ledger.BlockNumber, Offset = ledger.Offset, Problem = ledger.Problem, Message = ledger.Message },
    DevNetMaterialException material => new HostFailure { Type = HostFailure.Material, File = material.File, Problem = material.Problem, Message = material.Message },
    IOException or UnauthorizedAccessException or InvalidDataException => new HostFailure { Type = HostFailure.Io, Message = e.Message },
    ArgumentException => new HostFailure { Type = HostFailure.Invalid, Message = e.Message },
    _ => new HostFailure { Type = HostFailure.Internal, ErrorType = e.GetType().Name, Message = e.Message },
};

// End of file on stdin: the parent is done with the network, or gone.
static void WatchStdin(CancellationTokenSource stop)
{
    try
    {
        using var input = Console.OpenStandardInput();
        var buffer = new byte[256];
        while (input.Read(buffer, 0, buffer.Length) > 0)
        {
            // The parent sends nothing; anything it does is ignored.
        }
    }
    catch (IOException)
    {
        // A broken stdin means the same as end of file.
    }

    stop.Cancel();
}
