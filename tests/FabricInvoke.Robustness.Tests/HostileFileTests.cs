using FabricInvoke.Core.Configuration;
using FabricInvoke.Core.Connections;
using FabricInvoke.Core.Errors;
using FabricInvoke.Core.Identity;
using FabricInvoke.Robustness.Tests.Infrastructure;

namespace FabricInvoke.Robustness.Tests;

/// <summary>
/// Every file reader of Core, given every kind of hostile file (devices, FIFOs, directories, loops, huge or missing
/// or unreadable files): one Config failure that names the file and says what is wrong, at once, without reading
/// or allocating anything near what the file claims to hold.
/// </summary>
public sealed class HostileFileTests : IDisposable
{
    /// <summary>Far more than any of these needs (milliseconds); it only turns a hang into a failure.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    /// <summary>
    /// What one refusal may allocate: nothing like the file's size (8 GiB, or endless for a device), and less than the
    /// smallest limit; the valid certificate or key read first by some readers is part of it.
    /// </summary>
    private const long AllocationBound = 4 << 20;

    private static readonly string ClientCert = Path.Combine(Fixtures.Identities, "org1-user1", "tls", "client.crt");
    private static readonly string ClientKey = Path.Combine(Fixtures.Identities, "org1-user1", "tls", "client.key");

    private static readonly string[] PathReaders = ["TLS root certificates", "TLS client certificate", "TLS client key"];
    private static readonly string[] MspEntries = ["signcerts", "keystore", "cacerts"];

    private readonly HostileFiles _files = new();
    private readonly TempMsp _msp = new();

    public void Dispose()
    {
        _msp.Dispose();
        _files.Dispose();
    }

    public static TheoryData<string, string> PathCases()
    {
        var data = new TheoryData<string, string>();
        foreach (var reader in PathReaders)
        {
            foreach (var kind in HostileFiles.Kinds)
            {
                data.Add(reader, kind);
            }
        }

        return data;
    }

    public static TheoryData<string, string> MspCases()
    {
        var data = new TheoryData<string, string>();
        foreach (var entry in MspEntries)
        {
            foreach (var kind in HostileFiles.ListedKinds)
            {
                data.Add(entry, kind);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(PathCases))]
    public async Task A_hostile_file_named_by_path_is_refused_naming_it(string reader, string kind)
    {
        var limit = reader == "TLS client key" ? FileLimit.PrivateKey : FileLimit.Certificates;
        var path = _files.Make(kind, limit.MaxBytes);

        var failure = await RefusedAsync(() => Read(reader, path));

        Assert.Equal(path, failure.Target);
        Assert.EndsWith($": {path}", failure.Message, StringComparison.Ordinal);
        Assert.Contains(HostileFiles.ExpectedProblem(kind), failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(MspCases))]
    public async Task A_hostile_file_in_an_msp_folder_is_refused_naming_it(string entry, string kind)
    {
        var at = entry switch
        {
            "signcerts" => _msp.SignCertFile,
            "keystore" => _msp.KeyFile,
            _ => Directory.GetFiles(Path.Combine(_msp.Path, "cacerts")).Single(),
        };
        var limit = entry == "keystore" ? FileLimit.PrivateKey : FileLimit.Certificates;
        var path = _files.Make(kind, limit.MaxBytes, at);

        var failure = await RefusedAsync(() => MspFolder.Load(_msp.Path, Fixtures.MspId).Certificate.Dispose());

        Assert.Equal(path, failure.Target);
        Assert.Contains(HostileFiles.ExpectedProblem(kind), failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_directory_where_an_msp_file_should_be_is_passed_over_as_Fabric_does()
    {
        // Fabric's MSP set-up skips sub-folders of signcerts/ and keystore/; with nothing else there, the folder is
        // what is missing its file, and the message names the folder.
        File.Delete(_msp.KeyFile);
        Directory.CreateDirectory(_msp.KeyFile);
        var keystore = Path.GetDirectoryName(_msp.KeyFile)!;

        var failure = await RefusedAsync(() => MspFolder.Load(_msp.Path, Fixtures.MspId).Certificate.Dispose());

        Assert.Equal($"no private key found in the MSP keystore folder: {keystore}", failure.Message);
    }

    [Fact]
    public async Task A_hostile_file_next_to_the_real_key_does_not_hide_it()
    {
        using var files = new HostileFiles();
        var keystore = Path.GetDirectoryName(_msp.KeyFile)!;
        foreach (var kind in HostileFiles.ListedKinds)
        {
            files.Make(kind, FileLimit.PrivateKey.MaxBytes, Path.Combine(keystore, "0-" + kind.Replace('/', '_').Replace(' ', '_')));
        }

        var identity = await Task.Run(() => MspFolder.Load(_msp.Path, Fixtures.MspId)).WaitAsync(Bound);

        Assert.Equal(_msp.KeyFile, identity.KeyFile);
    }

    [Fact]
    public void A_file_that_grows_past_its_limit_while_it_is_read_is_cut_off_at_the_limit()
    {
        // Its size said 10 bytes; it never ends (as a file that is appended to, or one that lies about its size).
        using var endless = new EndlessStream();

        Assert.Null(BoundedFile.ReadAtMost(endless, expectedLength: 10, limit: 1000));
        Assert.Equal(1001, endless.Position);
    }

    [Fact]
    public void A_file_shorter_than_its_size_said_is_read_as_it_is()
    {
        using var stream = new MemoryStream("-----BEGIN"u8.ToArray());

        Assert.Equal("-----BEGIN"u8.ToArray(), BoundedFile.ReadAtMost(stream, expectedLength: 1000, limit: 1000));
    }

    private static void Read(string reader, string path)
    {
        switch (reader)
        {
            case "TLS root certificates":
                foreach (var certificate in TlsFiles.LoadCertificates(path, "peer TLS root certificate file"))
                {
                    certificate.Dispose();
                }

                break;
            case "TLS client certificate":
                TlsFiles.LoadClientCredential(new ClientCertificateFiles(path, ClientKey)).Dispose();
                break;
            case "TLS client key":
                TlsFiles.LoadClientCredential(new ClientCertificateFiles(ClientCert, path)).Dispose();
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(reader), reader, null);
        }
    }

    /// <summary>Runs <paramref name="read"/> on its own thread (so a hang fails the test) and returns its Config failure.</summary>
    private static async Task<FabricInvokeException> RefusedAsync(Action read)
    {
        long allocated = 0;
        var run = Task.Run(() =>
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                read();
            }
            finally
            {
                allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            }
        });
        try
        {
            await run.WaitAsync(Bound);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"the read did not end within {Bound.TotalSeconds}s");
        }
        catch (FabricInvokeException e)
        {
            Assert.Equal(FailureKind.Config, e.Kind);
            Assertions.AssertOneLine(e.Message);
            Assert.True(allocated < AllocationBound, $"the refusal allocated {allocated} bytes: {e.Message}");
            return e;
        }

        Assert.Fail("the file was accepted");
        throw new InvalidOperationException("unreachable");
    }

    /// <summary>A stream of zeros that never ends, counting what was read.</summary>
    private sealed class EndlessStream : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            Array.Clear(buffer, offset, count);
            _position += count;
            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
