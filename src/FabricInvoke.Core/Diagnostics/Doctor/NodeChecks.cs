using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using FabricInvoke.Core.Configuration;
using FabricInvoke.Core.Connections;
using FabricInvoke.Core.Errors;
using FabricInvoke.Protos.Common;
using FabricInvoke.Protos.Peer;
using Grpc.Core;

namespace FabricInvoke.Core.Diagnostics.Doctor;

/// <summary>
/// Doctor check 2, each peer and orderer as an invoke would reach it: the TLS files read, the TCP connect (and its
/// time), the TLS handshake judged as the invoke judges it — the server certificate's issuer against the root given
/// (subject and key id of both), its names against the host checked (and the override that would fix it), its expiry —
/// and then, over the invoke's own connections, whether the gRPC services answer. A service is probed with an empty
/// request that the server rejects as malformed: an answer of any kind but Unimplemented says it is served; no
/// proposal, transaction or seek is ever sent. Each node is bounded by the connect timeout; nodes are checked at once.
/// </summary>
internal static class NodeChecks
{
    public const string FilesArea = "tls";
    public const string NodeArea = "node";
    public const string TlsArea = "tls";
    public const string ServiceArea = "service";

    /// <summary>One node to check: its role ("peer" or "orderer"), where it is and how it is reached.</summary>
    internal sealed record Node(string Role, NodeEndpoint Endpoint, TransportSettings Transport)
    {
        public string Address => Endpoint.Address.ToString();
    }

    /// <summary>The peers (endorsing and delivering, each once) and then the orderers, as the settings give them.</summary>
    public static IReadOnlyList<Node> NodesOf(ConnectionSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var peers = settings.Peers.Concat(settings.DeliverPeers ?? []).Distinct().Select(p => new Node("peer", p, settings.PeerTransport));
        var orderers = settings.Orderers.Distinct().Select(o => new Node("orderer", o, settings.OrdererTransport ?? settings.PeerTransport));
        return peers.Concat(orderers).ToList();
    }

    /// <summary>
    /// TLS files first (an invoke reads every one before connecting: a bad one is a configuration failure), then each
    /// node's TCP connect and TLS handshake, all nodes at once. Orderers beyond the first that fail only warn when
    /// another orderer passed: an invoke moves on to the next.
    /// </summary>
    public static async Task<NodeReport> RunAsync(ConnectionSettings settings, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(time);
        var nodes = NodesOf(settings);
        var files = new List<DoctorCheck>();
        var usable = new List<(Node Node, X509Certificate2Collection? Roots)>();
        using var tls = new TlsMaterial();
        foreach (var node in nodes)
        {
            try
            {
                var roots = node.Endpoint.UseTls ? tls.RootsOf(node.Endpoint, node.Role) : null;
                if (node.Endpoint.UseTls && node.Transport.ClientCertificate is { } clientFiles)
                {
                    _ = tls.ClientCertificate(clientFiles);
                }

                usable.Add((node, roots));
            }
            catch (FabricInvokeException e)
            {
                files.Add(new DoctorCheck(FilesArea, node.Address, CheckOutcome.Fail, $"the {node.Role}'s TLS files cannot be used", e.Message,
                    $"give a readable PEM file in {DoctorWords.TlsRoot(node.Role)} (and the client certificate settings, with mutual TLS)", e.Kind));
            }
        }

        var results = await Task.WhenAll(usable.Select(u => CheckAsync(u.Node, u.Roots, time, cancellationToken))).ConfigureAwait(false);
        var anyOrdererPassed = results.Any(r => r.Node.Role == "orderer" && r.Reachable);
        var checks = new List<DoctorCheck>(files);
        foreach (var result in results)
        {
            foreach (var check in result.Checks)
            {
                // Another orderer answers: the invoke moves on to it, so this one deserves attention, not a failure.
                checks.Add(check.Outcome == CheckOutcome.Fail && result.Node.Role == "orderer" && anyOrdererPassed
                    ? check with { Outcome = CheckOutcome.Warn, Kind = null, Reason = check.Reason + "; the invoke moves on to another orderer" }
                    : check);
            }
        }

        return new NodeReport(checks, results.Where(r => r.Reachable).Select(r => r.Node).ToList(), nodes, files.Count > 0);
    }

    private static async Task<(Node Node, bool Reachable, IReadOnlyList<DoctorCheck> Checks)> CheckAsync(
        Node node, X509Certificate2Collection? roots, TimeProvider time, CancellationToken cancellationToken)
    {
        var bound = node.Transport.ConnectTimeout;
        var started = time.GetTimestamp();
        using var limit = new CancellationTokenSource(bound, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, limit.Token);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            try
            {
                await socket.ConnectAsync(node.Endpoint.Address.Host, node.Endpoint.Address.Port, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                return Unreachable(node, $"no TCP connection within {Text.Duration(bound)} (the connect timeout)", time.GetElapsedTime(started),
                    $"check that the {node.Role} runs and that {node.Address} is its address, reachable from here (a firewall drops rather than refuses); or raise {DoctorWords.ConnectTimeout}");
            }
            catch (SocketException e)
            {
                var reason = e.SocketErrorCode switch
                {
                    SocketError.ConnectionRefused => "connection refused (nothing listens there)",
                    SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => $"host name {node.Endpoint.Address.Host} not found",
                    SocketError.TimedOut => "the connection timed out",
                    _ => Text.OneLine(e.Message),
                };
                return Unreachable(node, reason, time.GetElapsedTime(started),
                    $"check that the {node.Role} runs and that {node.Address} is its address in {DoctorWords.Address(node.Role)}");
            }

            var connected = time.GetElapsedTime(started);
            var tcp = new DoctorCheck(NodeArea, node.Address, CheckOutcome.Pass,
                $"{node.Role}: TCP connect {Ms(connected)}", Elapsed: connected);
            if (roots is null)
            {
                return (node, true, [tcp, new DoctorCheck(TlsArea, node.Address, CheckOutcome.Pass, "TLS off (plaintext, as configured)")]);
            }

            var tlsCheck = await HandshakeAsync(node, roots, socket, linked.Token, limit, cancellationToken, time).ConfigureAwait(false);
            socket = null; // the handshake's stream owned it
            return (node, tlsCheck.Outcome != CheckOutcome.Fail, [tcp, tlsCheck]);
        }
        finally
        {
            socket?.Dispose();
        }
    }

    private static (Node, bool, IReadOnlyList<DoctorCheck>) Unreachable(Node node, string reason, TimeSpan elapsed, string fix) =>
        (node, false, [new DoctorCheck(NodeArea, node.Address, CheckOutcome.Fail, $"{node.Role}: cannot connect", reason, fix, FailureKind.Connection, elapsed)]);

    /// <summary>The TLS handshake an invoke makes (same roots, host name, protocol versions), keeping what the server showed.</summary>
    private static async Task<DoctorCheck> HandshakeAsync(
        Node node, X509Certificate2Collection roots, Socket socket, CancellationToken token, CancellationTokenSource limit, CancellationToken outer, TimeProvider time)
    {
        var endpoint = node.Endpoint;
        var host = endpoint.ServerNameOverride ?? endpoint.Address.Host;
        X509Certificate2? leaf = null;
        var chainErrors = false;
        var started = time.GetTimestamp();
        var ssl = new SslClientAuthenticationOptions
        {
            TargetHost = host,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            CertificateChainPolicy = ServerCertificateCheck.ChainPolicy(roots),
            RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
            {
                leaf = certificate is null ? null : new X509Certificate2(certificate);
                chainErrors = errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors);
                return true; // judged below, with everything the server showed
            },
            LocalCertificateSelectionCallback = (_, _, _, _, _) => null!,
        };
        var stream = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
        await using (stream.ConfigureAwait(false))
        {
            string? handshakeError = null;
            try
            {
                await stream.AuthenticateAsClientAsync(ssl, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (limit.IsCancellationRequested && !outer.IsCancellationRequested)
            {
                handshakeError = $"no TLS handshake within {Text.Duration(node.Transport.ConnectTimeout)} (the connect timeout)";
            }
            catch (Exception e) when (e is AuthenticationException or IOException)
            {
                handshakeError = Text.OneLine(e.InnerException?.Message ?? e.Message);
            }

            var elapsed = time.GetElapsedTime(started);
            using (leaf)
            {
                if (leaf is null)
                {
                    return new DoctorCheck(TlsArea, node.Address, CheckOutcome.Fail, "TLS handshake failed",
                        $"no server certificate was received: {handshakeError ?? "the server sent none"}",
                        $"check that {node.Address} is the {node.Role}'s TLS port and that the {node.Role} serves TLS", FailureKind.Connection, elapsed);
                }

                // A server that wants a client certificate may end the handshake here; the service probe tells whether it is required.
                return Judge(node, leaf, chainErrors, roots, host, time, elapsed);
            }
        }
    }

    /// <summary>What an invoke would say of the server certificate: expiry, host name, chain — in that order, as <see cref="ServerCertificateCheck"/> decides.</summary>
    internal static DoctorCheck Judge(Node node, X509Certificate2 leaf, bool chainErrors, X509Certificate2Collection roots, string host, TimeProvider time, TimeSpan elapsed)
    {
        var endpoint = node.Endpoint;
        var role = node.Role;
        var now = time.GetUtcNow();
        var notAfter = new DateTimeOffset(leaf.NotAfter.ToUniversalTime());
        if (now > notAfter || now < new DateTimeOffset(leaf.NotBefore.ToUniversalTime()))
        {
            return new DoctorCheck(TlsArea, node.Address, CheckOutcome.Fail, "server certificate not valid now",
                ServerCertificateCheck.Refusal(leaf, null, SslPolicyErrors.None, host, endpoint.TlsRootCertFile!, time),
                $"the {role}'s operator must renew its TLS certificate (or this machine's clock is wrong)", FailureKind.Connection, elapsed);
        }

        if (!leaf.MatchesHostname(host, allowWildcards: true, allowCommonName: false))
        {
            var names = DnsNames(leaf);
            var addressHost = endpoint.Address.Host;
            string fix;
            if (endpoint.ServerNameOverride is not null && leaf.MatchesHostname(addressHost, allowWildcards: true, allowCommonName: false))
            {
                fix = $"remove {DoctorWords.HostOverride(role)} (it is {endpoint.ServerNameOverride}; the certificate is valid for {addressHost}, the address given)";
            }
            else
            {
                var name = names.FirstOrDefault(n => !n.StartsWith('*')) ?? names.FirstOrDefault();
                fix = name is null
                    ? $"the {role}'s TLS certificate names no host: its operator must issue one with a subject alternative name"
                    : $"set {DoctorWords.HostOverride(role)} to {name} (or reach the {role} by that name)";
            }

            return new DoctorCheck(TlsArea, node.Address, CheckOutcome.Fail, $"server certificate not valid for host name {host}",
                $"the server certificate '{leaf.Subject}' names {(names.Count == 0 ? "no DNS name" : string.Join(", ", AllNames(leaf)))}, not {host}",
                fix, FailureKind.Connection, elapsed);
        }

        if (chainErrors)
        {
            var given = string.Join("; ", roots.Select(r => $"'{r.Subject}' (key id {SubjectKeyId(r)})"));
            return new DoctorCheck(TlsArea, node.Address, CheckOutcome.Fail, "server certificate not signed by the TLS root given",
                $"the server certificate '{leaf.Subject}' was issued by '{leaf.Issuer}' (key id {AuthorityKeyId(leaf)}), but the TLS root given is {given}, from {endpoint.TlsRootCertFile}",
                $"give the CA certificate '{leaf.Issuer}' (key id {AuthorityKeyId(leaf)}) as {DoctorWords.TlsRoot(role)} for {node.Address}",
                FailureKind.Connection, elapsed);
        }

        var left = notAfter - now;
        var days = ((int)left.TotalDays).ToString(CultureInfo.InvariantCulture);
        var summary = $"TLS {Ms(elapsed)}: '{leaf.Subject}' issued by '{leaf.Issuer}', valid for {host}, until {notAfter.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)} ({days} days left)";
        return left < IdentityChecks.ExpiryWarning
            ? new DoctorCheck(TlsArea, node.Address, CheckOutcome.Warn, summary, $"the {role}'s TLS certificate expires in {days} days",
                $"the {role}'s operator should renew its TLS certificate", Elapsed: elapsed)
            : new DoctorCheck(TlsArea, node.Address, CheckOutcome.Pass, summary, Elapsed: elapsed);
    }

    /// <summary>One node's service probe, started: the node it is for and the line it will give.</summary>
    internal sealed record ServiceProbe(string Role, string Address, Task<DoctorCheck> Check);

    /// <summary>
    /// Starts probing the services of every node, over the invoke's own connections (client certificates included):
    /// Endorser and Deliver on peers, AtomicBroadcast on orderers. The Gateway is the gateway stage's question
    /// (<see cref="ChannelChecks"/>), asked once. The probes may start before the node checks end:
    /// <see cref="ServicesOfAsync"/> keeps the lines of the nodes that passed them.
    /// </summary>
    public static IReadOnlyList<ServiceProbe> StartServices(DoctorContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var factory = context.Connections;
        var probes = new List<ServiceProbe>();
        foreach (var peer in factory.Peers.Concat(factory.DeliverPeers).Distinct())
        {
            probes.Add(new ServiceProbe("peer", peer.Address, ProbeAsync(peer.Connection, context.Time, cancellationToken)));
        }

        foreach (var orderer in factory.Orderers)
        {
            probes.Add(new ServiceProbe("orderer", orderer.Address, ProbeAsync(orderer.Connection, context.Time, cancellationToken)));
        }

        return probes;
    }

    /// <summary>The probes' lines for the nodes that passed TCP and TLS (<paramref name="reachable"/>), in the probes' order.</summary>
    public static async Task<IReadOnlyList<DoctorCheck>> ServicesOfAsync(IReadOnlyList<ServiceProbe> probes, IReadOnlyCollection<Node> reachable)
    {
        ArgumentNullException.ThrowIfNull(probes);
        ArgumentNullException.ThrowIfNull(reachable);
        var addresses = reachable.Select(n => (n.Role, n.Address)).ToHashSet();
        var lines = new List<DoctorCheck>();
        foreach (var probe in probes.Where(p => addresses.Contains((p.Role, p.Address))))
        {
            lines.Add(await probe.Check.ConfigureAwait(false));
        }

        return lines;
    }

    /// <summary>Waits for every probe to end (cancelled or not), whatever it ended with: none is left running.</summary>
    public static async Task SettleAsync(IReadOnlyList<ServiceProbe> probes)
    {
        ArgumentNullException.ThrowIfNull(probes);
        foreach (var probe in probes)
        {
            try
            {
                await probe.Check.ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or RpcException)
            {
                // Its line is not reported: the run ended before the services were asked about.
            }
        }
    }

    private static async Task<DoctorCheck> ProbeAsync(NodeConnection connection, TimeProvider time, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var invoker = connection.Channel.CreateCallInvoker();
        using var limit = new CancellationTokenSource(connection.ConnectTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, limit.Token);
        var options = new CallOptions(cancellationToken: linked.Token);
        var services = connection.Role == "orderer"
            ? new (string Name, Func<Task> Probe)[] { ("AtomicBroadcast", () => StreamProbeAsync(invoker.AsyncDuplexStreamingCall(FabricCalls.Broadcast, null, options), linked.Token)) }
            : [Endorser(), Deliver()];
        // Every service at once (one connection): the first one's failure, in the order listed, is the line.
        var failures = await Task.WhenAll(services.Select(s => ProbeOneAsync(s.Name, s.Probe))).ConfigureAwait(false);
        if (failures.FirstOrDefault(f => f is not null) is { } failure)
        {
            return failure;
        }

        var answered = services.Select(s => s.Name).ToList();
        var elapsed = time.GetElapsedTime(started);
        return new DoctorCheck(ServiceArea, connection.Address, CheckOutcome.Pass, $"{string.Join(", ", answered)} answering ({Ms(elapsed)})", Elapsed: elapsed);

        async Task<DoctorCheck?> ProbeOneAsync(string name, Func<Task> probe)
        {
            try
            {
                await probe().ConfigureAwait(false);
                return null;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unimplemented)
            {
                return new DoctorCheck(ServiceArea, connection.Address, CheckOutcome.Fail, $"{name} service not served",
                    $"the {connection.Role} answers {name} calls with Unimplemented: it does not serve that service",
                    $"check that {connection.Address} is a {connection.Role}'s address", FailureKind.Connection, time.GetElapsedTime(started));
            }
            catch (RpcException e) when (RpcFailure.IsConnectFailure(e) || e.StatusCode is StatusCode.DeadlineExceeded or StatusCode.Cancelled)
            {
                var reason = limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested
                    ? $"{name} did not answer within {Text.Duration(connection.ConnectTimeout)} (the connect timeout)"
                    : $"{name}: {RpcFailure.Describe(e, connection)}";
                var needsClientCertificate = RpcFailure.NeedsClientCertificate(e, connection);
                var fix = needsClientCertificate
                    ? $"give a TLS client certificate and key with {DoctorWords.ClientCertificate(connection.Role)}"
                    : $"check that the {connection.Role} runs and serves {name} at {connection.Address}";
                var summary = needsClientCertificate ? "mutual TLS required, no client certificate given" : $"{name} service not answering";
                return new DoctorCheck(ServiceArea, connection.Address, CheckOutcome.Fail, summary, reason, fix,
                    FailureKind.Connection, time.GetElapsedTime(started));
            }
            catch (RpcException)
            {
                // Any other status is the service refusing the empty request: it is served.
                return null;
            }
            catch (OperationCanceledException) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                return new DoctorCheck(ServiceArea, connection.Address, CheckOutcome.Fail, $"{name} service not answering",
                    $"{name} did not answer within {Text.Duration(connection.ConnectTimeout)} (the connect timeout)",
                    $"check that the {connection.Role} runs and serves {name} at {connection.Address}", FailureKind.Connection, time.GetElapsedTime(started));
            }
        }

        (string, Func<Task>) Endorser() => ("Endorser", () => invoker.AsyncUnaryCall(FabricCalls.ProcessProposal, null, options, new SignedProposal()).ResponseAsync);

        (string, Func<Task>) Deliver() => ("Deliver", () => StreamProbeAsync(invoker.AsyncDuplexStreamingCall(FabricCalls.Deliver, null, options), linked.Token));
    }

    /// <summary>Sends one empty envelope (which a Deliver or Broadcast service answers BAD_REQUEST) and waits for the answer.</summary>
    private static async Task StreamProbeAsync<TResponse>(AsyncDuplexStreamingCall<Envelope, TResponse> call, CancellationToken cancellationToken)
    {
        using (call)
        {
            // A call that ended before the request went out (the connection failed, say) reports why in the read.
            if (await StreamWrites.TryWriteAsync(call.RequestStream, new Envelope(), cancellationToken).ConfigureAwait(false))
            {
                await StreamWrites.TryCompleteAsync(call.RequestStream).ConfigureAwait(false);
            }

            _ = await StreamWrites.MoveNextAsync(call, cancellationToken).ConfigureAwait(false);
        }
    }

    private static List<string> DnsNames(X509Certificate2 leaf) =>
        leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault()?.EnumerateDnsNames().ToList() ?? [];

    private static List<string> AllNames(X509Certificate2 leaf)
    {
        var san = leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        return san is null ? [] : [.. san.EnumerateDnsNames(), .. san.EnumerateIPAddresses().Select(a => a.ToString())];
    }

    internal static string SubjectKeyId(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509SubjectKeyIdentifierExtension>().FirstOrDefault()?.SubjectKeyIdentifier?.ToLowerInvariant() ?? "none";

    internal static string AuthorityKeyId(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().FirstOrDefault()?.KeyIdentifier is { } id
            ? Convert.ToHexStringLower(id.Span)
            : "none";

    private static string Ms(TimeSpan t) => t.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture) + " ms";
}

/// <summary>What the node checks found: their lines, the nodes that passed TCP and TLS, and every node checked.</summary>
internal sealed record NodeReport(IReadOnlyList<DoctorCheck> Checks, IReadOnlyList<NodeChecks.Node> Reachable, IReadOnlyList<NodeChecks.Node> Nodes, bool FilesFailed)
{
    /// <summary>At least one peer passed TCP and TLS (else nothing past the node checks can be asked).</summary>
    public bool AnyPeerReachable => Reachable.Any(n => n.Role == "peer");

}
