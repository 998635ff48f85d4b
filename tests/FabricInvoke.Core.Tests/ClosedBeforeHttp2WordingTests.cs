using System.Net.Http;
using FabricInvoke.Core.Configuration;
using FabricInvoke.Core.Connections;
using FabricInvoke.Core.Diagnostics;
using Grpc.Core;

namespace FabricInvoke.Core.Tests;

/// <summary>
/// Issue 22 D18: a connection closed before HTTP/2 was set up (a node killed mid-commit, say) was always explained as
/// "a server that requires a TLS client certificate does this" — untrue over plaintext, and when a client certificate
/// was presented. The hint now comes only where it can be the reason.
/// </summary>
public sealed class ClosedBeforeHttp2WordingTests
{
    private const string Hint = "a server that requires a TLS client certificate does this when none is presented";

    private static string Describe(bool tls, bool clientCertificate)
    {
        using var material = new TlsMaterial();
        var cert = Fixtures.PathOf("identities/org1-user1/tls/client.crt");
        using var connection = NodeConnection.Create(
            "peer",
            new NodeEndpoint(Endpoint.Parse("127.0.0.1:7051", "peer"), tls ? Fixtures.PathOf("identities/org1-user1/tls/ca.crt") : null, null),
            new TransportSettings(TimeSpan.FromSeconds(1), clientCertificate ? new ClientCertificateFiles(cert, Path.Combine(Path.GetDirectoryName(cert)!, "client.key")) : null),
            IProgressObserver.None,
            TimeProvider.System,
            material);
        var closed = new RpcException(new Status(StatusCode.Unavailable, "Error starting gRPC call",
            new HttpRequestException("An error occurred while sending the request.", new HttpIOException(HttpRequestError.ResponseEnded, "The response ended prematurely."))));
        return RpcFailure.Describe(closed, connection);
    }

    [Fact]
    public void Over_TLS_without_a_client_certificate_the_line_names_the_missing_certificate_as_one_possible_reason()
    {
        var line = Describe(tls: true, clientCertificate: false);

        Assert.Contains("the server closed the connection before HTTP/2 was set up", line, StringComparison.Ordinal);
        Assert.Contains(Hint, line, StringComparison.Ordinal);
        Assert.Contains("so does a node that stopped", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, false)]
    public void With_a_client_certificate_or_without_TLS_the_line_has_no_client_certificate_hint(bool tls, bool clientCertificate)
    {
        var line = Describe(tls, clientCertificate);

        Assert.Equal("the server closed the connection before HTTP/2 was set up", line);
    }
}
