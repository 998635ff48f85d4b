using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using FabricInvoke.Core.Configuration;
using FabricInvoke.Core.Connections;
using FabricInvoke.Core.Identity;
using FabricInvoke.Core.Transactions;
using FabricInvoke.Protos.Peer;
using Google.Protobuf;
using Grpc.Core;

namespace FabricInvoke.Core.Diagnostics.Doctor;

/// <summary>What one peer answered one proposal: the response, or the gRPC error it (or the transport) gave.</summary>
internal sealed record PeerAnswer(PeerNode Peer, ProposalResponse? Response, RpcException? Error, TimeSpan Elapsed)
{
    /// <summary>The call never reached the peer's gRPC service (refused, TLS, connect timeout).</summary>
    public bool Unreachable => Error is { } e && RpcFailure.IsConnectFailure(e);

    /// <summary>The peer's own MSP id, from the identity that endorsed the answer; null when it did not endorse.</summary>
    public string? EndorserMspId
    {
        get
        {
            if (Response?.Endorsement is not { Endorser.IsEmpty: false } endorsement)
            {
                return null;
            }

            try
            {
                return Protos.Msp.SerializedIdentity.Parser.ParseFrom(endorsement.Endorser).Mspid;
            }
            catch (InvalidProtocolBufferException)
            {
                return null;
            }
        }
    }

    /// <summary>What went wrong in one line: the gRPC error, or the response's status and message.</summary>
    public string Problem => Error is { } e
        ? RpcFailure.Describe(e, Peer.Connection)
        : $"status {Response?.Response?.Status ?? 0}: {Errors.Text.OneLine(Response?.Response?.Message ?? "")}";
}

/// <summary>The calls the channel checks make: evaluated proposals (nothing is ordered) and a TCP connect.</summary>
internal static class ChannelProbe
{
    /// <summary>The lifecycle system chaincode of Fabric ≥ 2.0.</summary>
    public const string Lifecycle = "_lifecycle";

    /// <summary>_lifecycle QueryChaincodeDefinition of <paramref name="chaincode"/> on <paramref name="channelId"/>.</summary>
    public static ChaincodeInvocation QueryChaincodeDefinition(string channelId, string chaincode) =>
        new(channelId, Lifecycle,
            [System.Text.Encoding.UTF8.GetBytes("QueryChaincodeDefinition"), new Protos.Peer.Lifecycle.QueryChaincodeDefinitionArgs { Name = chaincode }.ToByteArray()],
            [], false);

    /// <summary>cscc GetChannelConfig of <paramref name="channelId"/>, asked on the channel (so any member may read it, not only the peer's own organisation).</summary>
    public static ChaincodeInvocation GetChannelConfig(string channelId) =>
        new(channelId, "cscc", [System.Text.Encoding.UTF8.GetBytes("GetChannelConfig"), System.Text.Encoding.UTF8.GetBytes(channelId)], [], false);

    /// <summary>Sends one signed proposal to <paramref name="peer"/> and returns what came back; never throws for what the peer or the transport did.</summary>
    public static async Task<PeerAnswer> AskAsync(
        PeerNode peer, SigningIdentity signer, ChaincodeInvocation invocation, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var proposal = SignedChaincodeProposal.Create(invocation, signer, time);
        try
        {
            var response = await peer.Calls.AsyncUnaryCall(
                FabricCalls.ProcessProposal, null, new CallOptions(deadline: time.GetUtcNow().UtcDateTime + timeout, cancellationToken: cancellationToken), proposal.Signed).ResponseAsync.ConfigureAwait(false);
            return new PeerAnswer(peer, response, null, time.GetElapsedTime(started));
        }
        catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
        {
            return new PeerAnswer(peer, null, RpcFailure.AsConnectTimeout(e) ?? e, time.GetElapsedTime(started));
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested && RpcFailure.AsConnectTimeout(e) is { } timedOut)
        {
            return new PeerAnswer(peer, null, timedOut, time.GetElapsedTime(started));
        }
    }

    /// <summary>
    /// Whether the peer's Gateway service is there, without a transaction: an empty Evaluate request, which a Gateway
    /// refuses as invalid (InvalidArgument / FailedPrecondition) and a peer without one answers Unimplemented.
    /// Enabled false with the problem when it is not there (or did not answer).
    /// </summary>
    public static async Task<(bool Enabled, string? Problem)> GatewayAsync(PeerNode peer, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            await peer.Calls.AsyncUnaryCall(
                FabricCalls.GatewayEvaluate, null, new CallOptions(deadline: time.GetUtcNow().UtcDateTime + timeout, cancellationToken: cancellationToken), new Protos.Gateway.EvaluateRequest()).ResponseAsync.ConfigureAwait(false);
            return (true, null);
        }
        catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
        {
            return e.StatusCode switch
            {
                StatusCode.Unimplemented => (false, RpcFailure.Describe(e, peer.Connection)),
                _ when RpcFailure.IsConnectFailure(e) => (false, RpcFailure.Describe(e, peer.Connection)),
                StatusCode.DeadlineExceeded => (false, RpcFailure.Describe(e, peer.Connection)),
                _ => (true, null),
            };
        }
    }

    /// <summary>TCP connect and TLS handshake with <paramref name="address"/> within <paramref name="timeout"/>: null when it answered, else why not.</summary>
    public static async Task<string?> ConnectAsync(string address, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Endpoint endpoint;
        try
        {
            endpoint = Endpoint.Parse(address, "orderer");
        }
        catch (Errors.FabricInvokeException e)
        {
            return e.Message;
        }

        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(timeout);
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(endpoint.Host, endpoint.Port, bound.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"no TCP connection within {timeout.TotalSeconds:0.###}s";
        }
        catch (SocketException e)
        {
            return e.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "connection refused",
                SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => $"host {endpoint.Host} not found",
                _ => e.Message,
            };
        }

        // A process that is hung (or stopped) still has its socket accepted by the kernel: only a TLS handshake shows
        // that it answers. Whose certificate it is does not matter here (the invoke's own TLS settings judge that), and
        // a refusal (a server wanting a client certificate, or no TLS at all) is an answer too.
        using var stream = new NetworkStream(socket, ownsSocket: false);
        using var tls = new SslStream(stream, leaveInnerStreamOpen: true);
        try
        {
            await tls.AuthenticateAsClientAsync(
                new SslClientAuthenticationOptions { TargetHost = endpoint.Host, RemoteCertificateValidationCallback = AnyCertificate }, bound.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"TCP connected, but no TLS handshake within {timeout.TotalSeconds:0.###}s (the process does not answer)";
        }
        catch (Exception e) when (e is IOException or AuthenticationException)
        {
            return null;
        }

        return null;
    }

    /// <summary>Liveness only: the certificate is judged by the invoke's own TLS settings, not here.</summary>
    private static bool AnyCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors) => true;

    /// <summary>The payload of a successful response (status 200-399), else null.</summary>
    public static ByteString? Payload(PeerAnswer answer) =>
        answer.Response?.Response is { Status: >= 200 and < 400 } ok ? ok.Payload : null;

    /// <summary>A Fabric Status-code view of the response, for the 404 the lifecycle answers an undefined chaincode with.</summary>
    public static int StatusOf(PeerAnswer answer) => answer.Response?.Response?.Status ?? 0;
}
