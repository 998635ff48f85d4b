using FabricInvoke.DevNet.Tests.Infrastructure;
using FabricInvoke.Protos.Peer;

namespace FabricInvoke.DevNet.Tests;

/// <summary>One owner per DevNet folder: a lock held for the network's life, queueing behind it, attaching to it.</summary>
public sealed class FolderOwnershipTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "fabinvoke-owner-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task A_second_network_on_an_owned_folder_is_refused_naming_the_owner()
    {
        await using var first = await DevNetwork.StartAsync(new DevNetOptions { Directory = _dir, OwnerDescription = "the first" }).WaitAsync(DevNetFixture.Bound);

        var busy = await Assert.ThrowsAsync<DevNetBusyException>(() => DevNetwork.StartAsync(new DevNetOptions { Directory = _dir }).WaitAsync(DevNetFixture.Bound));

        Assert.Equal(Environment.ProcessId, busy.Owner!.ProcessId);
        Assert.Equal("the first", busy.Owner.Description);
        Assert.Equal(Path.Combine(_dir, "devnet.lock"), busy.LockFile);
        Assert.Contains($"process {Environment.ProcessId}", busy.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_queued_start_takes_the_folder_once_the_owner_stops_and_sees_its_writes()
    {
        var first = await DevNetwork.StartAsync(new DevNetOptions { Directory = _dir }).WaitAsync(DevNetFixture.Bound);
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (var client = new Client(first, first.User(1), presentClientCertificate: false))
        {
            await client.InvokeAsync(["Put", "queued", "yes"]);
        }

        var second = DevNetwork.StartAsync(new DevNetOptions
        {
            Directory = _dir,
            LockWait = TimeSpan.FromSeconds(30),
            Diagnostics = d =>
            {
                if (d.Kind == DevNetDiagnosticKind.WaitingForOwner)
                {
                    waiting.TrySetResult();
                }
            },
        });
        await waiting.Task.WaitAsync(DevNetFixture.Bound);
        Assert.False(second.IsCompleted);

        await first.DisposeAsync().AsTask().WaitAsync(DevNetFixture.Bound);
        await using var network = await second.WaitAsync(DevNetFixture.Bound);
        using var again = new Client(network, network.User(1), presentClientCertificate: false);
        var get = await again.EndorseAllAsync(again.Propose(["Get", "queued"]));
        Assert.All(get, r => Assert.Equal("yes", r.Response.Payload.ToStringUtf8()));
    }

    [Fact]
    public async Task A_queued_start_gives_up_after_its_wait_and_never_waits_for_an_attachable_owner()
    {
        await using var owner = await DevNetwork.StartAsync(new DevNetOptions { Directory = _dir }).WaitAsync(DevNetFixture.Bound);
        var busy = await Assert.ThrowsAsync<DevNetBusyException>(() =>
            DevNetwork.StartAsync(new DevNetOptions { Directory = _dir, LockWait = TimeSpan.FromMilliseconds(200) }).WaitAsync(DevNetFixture.Bound));
        Assert.True(busy.Waited >= TimeSpan.FromMilliseconds(200));
        await owner.DisposeAsync();

        var other = Path.Combine(_dir, "attachable");
        await using var up = await DevNetwork.StartAsync(new DevNetOptions { Directory = other, Attachable = true }).WaitAsync(DevNetFixture.Bound);
        var refused = await Assert.ThrowsAsync<DevNetBusyException>(() =>
            DevNetwork.StartAsync(new DevNetOptions { Directory = other, LockWait = TimeSpan.FromMinutes(5) }).WaitAsync(DevNetFixture.Bound));
        Assert.True(refused.Owner!.Attachable);
        Assert.Equal(TimeSpan.Zero, refused.Waited);
    }

    [Fact]
    public async Task A_lease_attaches_to_an_attachable_network_and_leaves_it_running()
    {
        await using var up = await DevNetwork.StartAsync(new DevNetOptions { Directory = _dir, Attachable = true }).WaitAsync(DevNetFixture.Bound);
        Assert.True(File.Exists(up.SummaryFile));
        Assert.True(File.Exists(up.EnvironmentFile));

        await using (var lease = await DevNetLease.OpenAsync(new DevNetOptions { Directory = _dir }).WaitAsync(DevNetFixture.Bound))
        {
            Assert.True(lease.IsAttached);
            Assert.Equal(Environment.ProcessId, lease.OwnerProcessId);
            Assert.Equal(up.Orderer.Address, lease.Orderer.Address);
            Assert.Equal(up.Peers.Select(p => p.Address), lease.Peers.Select(p => p.Address));
            Assert.Equal(up.User(1), lease.User(1));
        }

        using var client = new Client(up, up.User(1), presentClientCertificate: false);
        var outcome = await client.InvokeAsync(["Put", "still", "up"]);
        Assert.All(outcome.Verdicts, v => Assert.Equal(TxValidationCode.Valid, v.TxValidationCode));
    }

    [Fact]
    public async Task Stopping_removes_the_published_files_and_the_owner_record_but_keeps_the_lock_file()
    {
        var up = await DevNetwork.StartAsync(new DevNetOptions { Directory = _dir, Attachable = true }).WaitAsync(DevNetFixture.Bound);
        Assert.Contains($"\"pid\":{Environment.ProcessId}", ReadShared(Path.Combine(_dir, "devnet.owner")), StringComparison.Ordinal);
        Assert.Contains($"\"pid\": {Environment.ProcessId}", File.ReadAllText(up.SummaryFile!), StringComparison.Ordinal);

        await up.DisposeAsync().AsTask().WaitAsync(DevNetFixture.Bound);

        Assert.False(File.Exists(Path.Combine(_dir, "devnet.json")));
        Assert.False(File.Exists(Path.Combine(_dir, "devnet.env")));
        Assert.False(File.Exists(Path.Combine(_dir, "devnet.owner")));
        Assert.Equal($"{Environment.ProcessId}\n", File.ReadAllText(Path.Combine(_dir, "devnet.lock")));
    }

    [Fact]
    public async Task Files_a_killed_owner_left_behind_are_not_attached_to_and_are_removed_by_the_next_owner()
    {
        Directory.CreateDirectory(_dir);
        const int gone = int.MaxValue - 7;
        File.WriteAllText(Path.Combine(_dir, "devnet.owner"), $$"""{"pid":{{gone}},"owner":"fabinvoke devnet up","attachable":true,"since":"2026-01-01T00:00:00+00:00"}""");
        File.WriteAllText(Path.Combine(_dir, "devnet.json"), $$"""{"pid":{{gone}}}""");
        File.WriteAllText(Path.Combine(_dir, "devnet.env"), "export ORDERER_ADDRESS='127.0.0.1:1'\n");

        await using var lease = await DevNetLease.OpenAsync(new DevNetOptions { Directory = _dir }).WaitAsync(DevNetFixture.Bound);

        Assert.False(lease.IsAttached);
        Assert.False(File.Exists(Path.Combine(_dir, "devnet.json")));
        Assert.False(File.Exists(Path.Combine(_dir, "devnet.env")));
        Assert.Contains($"\"pid\":{Environment.ProcessId}", ReadShared(Path.Combine(_dir, "devnet.owner")), StringComparison.Ordinal);
    }

    [Fact]
    public void Batch_timeout_and_lock_wait_are_range_checked()
    {
        Assert.ThrowsAny<ArgumentException>(() => DevNetwork.Validate(new DevNetOptions { Directory = _dir, BatchTimeout = TimeSpan.FromHours(2) }));
        Assert.ThrowsAny<ArgumentException>(() => DevNetwork.Validate(new DevNetOptions { Directory = _dir, BatchTimeout = TimeSpan.FromTicks(9_999) }));
        Assert.ThrowsAny<ArgumentException>(() => DevNetwork.Validate(new DevNetOptions { Directory = _dir, LockWait = TimeSpan.FromHours(2) }));
        DevNetwork.Validate(new DevNetOptions { Directory = _dir, BatchTimeout = TimeSpan.FromHours(1) });
        Assert.False(Directory.Exists(_dir));
    }

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return new StreamReader(stream).ReadToEnd();
    }
}
