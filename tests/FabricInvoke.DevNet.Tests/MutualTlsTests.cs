using FabricInvoke.DevNet.Tests.Infrastructure;
using FabricInvoke.Protos.Peer;
using Status = FabricInvoke.Protos.Common.Status;

namespace FabricInvoke.DevNet.Tests;

/// <summary>With RequireClientTls, deliver binds the seek to the TLS connection through tls_cert_hash.</summary>
public sealed class MutualTlsTests(MutualTlsDevNetFixture fixture) : IClassFixture<MutualTlsDevNetFixture>
{
    [Fact]
    public async Task Invoke_with_client_certificate_and_matching_hash_commits_valid()
    {
        var outcome = await fixture.Client().InvokeAsync(["Put", "mtls", "v"]);

        Assert.All(outcome.Verdicts, v => Assert.Equal(TxValidationCode.Valid, v.TxValidationCode));
    }

    [Fact]
    public async Task Wrong_tls_cert_hash_is_bad_request()
    {
        var client = fixture.Client();
        using var deliver = await client.DeliverAsync(fixture.Network.Peers[0], client.Seek(tlsCertHash: new byte[32]));

        Assert.Equal(Status.BadRequest, (await deliver.NextAsync())!.Status);
        Assert.Null(await deliver.NextAsync());
    }

    [Fact]
    public async Task Missing_tls_cert_hash_is_bad_request()
    {
        var client = fixture.Client();
        using var deliver = await client.DeliverAsync(fixture.Network.Peers[1], client.Seek());

        Assert.Equal(Status.BadRequest, (await deliver.NextAsync())!.Status);
    }

    [Fact]
    public async Task Hash_of_another_users_certificate_is_bad_request()
    {
        var client = fixture.Client();
        var other = fixture.Client(fixture.Network.User(2));
        using var deliver = await client.DeliverAsync(fixture.Network.Peers[0], client.Seek(tlsCertHash: other.TlsCertHash));

        Assert.Equal(Status.BadRequest, (await deliver.NextAsync())!.Status);
    }

    [Fact]
    public async Task Connection_without_client_certificate_is_refused_at_the_tls_handshake()
    {
        using var client = new Client(fixture.Network, fixture.Network.User(1), presentClientCertificate: false);

        var error = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => client.EndorseAllAsync(client.Propose(["Put", "nocert", "v"])));

        // Under TLS 1.3 the client may consider the handshake done before the server checks its (missing) certificate;
        // the server's abort then reaches the client as a failed HTTP/2 stream (Internal) instead of a failed connect.
        Assert.Contains(error.StatusCode, new[] { Grpc.Core.StatusCode.Unavailable, Grpc.Core.StatusCode.Internal });
    }
}
