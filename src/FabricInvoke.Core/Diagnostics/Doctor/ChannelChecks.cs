using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FabricInvoke.Core.Connections;
using FabricInvoke.Core.Errors;
using FabricInvoke.Protos.Peer.Lifecycle;
using Google.Protobuf;

namespace FabricInvoke.Core.Diagnostics.Doctor;

/// <summary>
/// The doctor's channel, chaincode, endorsement-policy and gateway checks (checks 3-5 of <c>fabinvoke doctor</c>).
/// Nothing is ordered: each peer evaluates a _lifecycle QueryChaincodeDefinition on the channel (which tells whether
/// the channel is there, whether the peer accepts the signer on it, and the chaincode's definition), one peer that
/// accepted the signer gives the channel configuration (cscc GetChannelConfig), the orderer endpoints it names get a
/// TCP connect and TLS handshake, and a Gateway an empty Evaluate. Each call is bounded by the request timeout (a TCP connect by the
/// connect timeout); a failing line's <see cref="DoctorCheck.Kind"/> is the class the invoke would have failed with.
/// </summary>
internal static class ChannelChecks
{
    private const string Channel = "channel";
    private const string ChaincodeArea = "chaincode";
    private const string PolicyArea = "policy";
    private const string GatewayArea = "gateway";

    /// <summary>Runs checks 3 (channel), 4 (chaincode and endorsement policy) and 5 (gateway) for <paramref name="context"/>.</summary>
    public static async Task<IReadOnlyList<DoctorCheck>> RunAsync(DoctorContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var checks = new List<DoctorCheck>();
        var connections = context.Connections;
        var time = context.Time;
        var peers = context.Gateway ? connections.Peers.Take(1).ToList() : connections.Peers.ToList();
        if (peers.Count == 0)
        {
            return checks;
        }

        var timeout = context.RequestTimeout;
        var timings = context.Timings;
        var phase = timings?.Start() ?? 0;

        // 5. Gateway mode: whether the peer serves the Gateway, asked once, alongside the other questions; its line
        // comes first, where the node's services are reported (the invoke's first call goes to that service).
        var gatewayProbe = context.Gateway ? ChannelProbe.GatewayAsync(peers[0], timeout, time, cancellationToken) : null;
        var channel = ChannelAsync(context, peers, cancellationToken);
        Task[] pending = gatewayProbe is null ? [channel] : [channel, gatewayProbe];
        await Task.WhenAll(pending).ConfigureAwait(false);
        if (gatewayProbe is not null)
        {
            var (enabled, problem) = await gatewayProbe.ConfigureAwait(false);
            checks.Add(enabled
                ? new DoctorCheck(GatewayArea, peers[0].Address, CheckOutcome.Pass, "Gateway service enabled")
                : new DoctorCheck(GatewayArea, peers[0].Address, CheckOutcome.Fail, "Gateway service not available",
                    $"peer {peers[0].Address} does not serve the Gateway: {problem}",
                    "enable the Gateway of the peer (peer.gateway.enabled in core.yaml; Fabric ≥ 2.4), or endorse through the peers themselves instead of a Gateway",
                    FailureKind.Endorsement));
            timings?.Record("channel steps with the gateway probe", phase);
        }

        checks.AddRange(await channel.ConfigureAwait(false));
        return checks;
    }

    /// <summary>Checks 3 (channel) and 4 (chaincode and endorsement policy) on <paramref name="peers"/>.</summary>
    private static async Task<IReadOnlyList<DoctorCheck>> ChannelAsync(DoctorContext context, IReadOnlyList<PeerNode> peers, CancellationToken cancellationToken)
    {
        var checks = new List<DoctorCheck>();
        var connections = context.Connections;
        var time = context.Time;
        var signer = connections.Signer;
        var timeout = context.RequestTimeout;
        var timings = context.Timings;
        var phase = timings?.Start() ?? 0;
        var definitionQuery = ChannelProbe.QueryChaincodeDefinition(context.ChannelId, context.ChaincodeName);
        var answers = await Task.WhenAll(peers.Select(p => ChannelProbe.AskAsync(p, signer, definitionQuery, timeout, time, cancellationToken))).ConfigureAwait(false);
        timings?.Record("definition query", phase);

        // 3. The channel on each peer, and whether the peer accepts the signer on it.
        var accepted = new List<PeerAnswer>();
        foreach (var answer in answers)
        {
            checks.Add(ChannelOnPeer(context, answer, out var acceptedSigner));
            if (acceptedSigner)
            {
                accepted.Add(answer);
            }
        }

        if (accepted.Count == 0)
        {
            checks.Add(Skipped(Channel, context.ChannelId, "no peer accepted the signer on the channel: membership, orderers, chaincode and policy not checked"));
            return checks;
        }

        // Read the configuration from a peer that accepted the signer.
        phase = timings?.Start() ?? 0;
        var configAnswer = await ChannelProbe.AskAsync(accepted[0].Peer, signer, ChannelProbe.GetChannelConfig(context.ChannelId), timeout, time, cancellationToken).ConfigureAwait(false);
        timings?.Record("channel config", phase);
        ChannelConfigView? config = null;
        string? configProblem = null;
        if (ChannelProbe.Payload(configAnswer) is { } configBytes)
        {
            try
            {
                config = ChannelConfigView.Parse(configBytes);
            }
            catch (InvalidProtocolBufferException e)
            {
                configProblem = $"peer {configAnswer.Peer.Address} answered GetChannelConfig with something that is not a channel configuration ({e.Message})";
            }
        }
        else
        {
            configProblem = $"peer {configAnswer.Peer.Address} did not give the channel configuration: {configAnswer.Problem}";
        }

        if (config is null)
        {
            checks.Add(new DoctorCheck(Channel, context.ChannelId, CheckOutcome.Warn, "channel configuration not read", configProblem,
                "give the signer read access to the channel configuration (the Readers policy of the channel) to have membership, orderers and policy checked"));
        }
        else
        {
            checks.Add(Membership(context, config));
            phase = timings?.Start() ?? 0;
            checks.AddRange(await OrderersAsync(context, config, cancellationToken).ConfigureAwait(false));
            timings?.Record("config orderers", phase);
        }

        // 4. The chaincode definition, -I against init required, the endorsement policy against the peers given.
        var definitions = DefinitionChecks(context, accepted, out var definition);
        checks.AddRange(definitions);
        if (definition is not null && config is not null)
        {
            phase = timings?.Start() ?? 0;
            checks.AddRange(PolicyChecks(context, config, definition, accepted));
            timings?.Record("policy", phase);
        }

        return checks;
    }

    /// <summary>The channel on one peer: found and the signer accepted, not found, the signer refused, or the peer unreachable.</summary>
    private static DoctorCheck ChannelOnPeer(DoctorContext context, PeerAnswer answer, out bool acceptedSigner)
    {
        acceptedSigner = false;
        var peer = answer.Peer.Address;
        var channel = context.ChannelId;
        var mspId = context.Connections.Signer.MspId;
        if (answer.Unreachable)
        {
            return new DoctorCheck(Channel, peer, CheckOutcome.Skipped, $"channel {channel} not checked: peer unreachable ({answer.Problem})", Elapsed: answer.Elapsed);
        }

        var message = answer.Error?.Status.Detail ?? answer.Response?.Response?.Message ?? "";
        if (answer.Error is not null)
        {
            if (answer.Error.StatusCode == Grpc.Core.StatusCode.DeadlineExceeded)
            {
                return new DoctorCheck(Channel, peer, CheckOutcome.Fail, $"no answer about channel {channel}",
                    $"peer {peer} did not answer within {context.RequestTimeout.TotalSeconds:0.###}s",
                    "check the health and load of the peer, or allow a longer request timeout", FailureKind.Endorsement, answer.Elapsed);
            }

            if (message.Contains("access denied", StringComparison.Ordinal))
            {
                return Refused(context, answer, message);
            }

            return new DoctorCheck(Channel, peer, CheckOutcome.Fail, $"peer refused a proposal on channel {channel}", $"peer {peer}: {answer.Problem}",
                "see the log of the peer for the reason", FailureKind.Endorsement, answer.Elapsed);
        }

        if (message.Contains($"channel '{channel}' not found", StringComparison.Ordinal) || message.Contains("not found", StringComparison.Ordinal) && message.Contains("channel", StringComparison.Ordinal) && ChannelProbe.StatusOf(answer) >= 500)
        {
            return new DoctorCheck(Channel, peer, CheckOutcome.Fail, $"channel {channel} not found",
                $"peer {peer} has not joined channel {channel} ({Text.OneLine(message)})",
                $"check the channel name (names are case-sensitive), or join the peer to channel {channel}", FailureKind.Endorsement, answer.Elapsed);
        }

        if (message.Contains("access denied", StringComparison.Ordinal))
        {
            // The lifecycle's ACL (Writers by default) refused a signer the channel knows.
            return new DoctorCheck(Channel, peer, CheckOutcome.Fail, $"{mspId} may not use channel {channel}",
                $"peer {peer} refused the signer: {Text.OneLine(message)}",
                $"use an identity that the policies of the channel allow to propose (a client or admin of a member organisation)", FailureKind.Endorsement, answer.Elapsed);
        }

        acceptedSigner = true;
        var org = answer.EndorserMspId is { } m ? $" (a peer of {m})" : "";
        return new DoctorCheck(Channel, peer, CheckOutcome.Pass, $"channel {channel} found{org}; {mspId} accepted", Elapsed: answer.Elapsed);
    }

    /// <summary>
    /// The peer refused the signer on the channel. A real peer says <c>creator org unknown</c> both for an MSP id the
    /// channel does not have and for a certificate that MSP did not issue; the certificate's issuer tells which to check.
    /// </summary>
    private static DoctorCheck Refused(DoctorContext context, PeerAnswer answer, string message)
    {
        var signer = context.Connections.Signer;
        var mspId = signer.MspId;
        var issuer = signer.Certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: true);
        var reason = $"peer {answer.Peer.Address} refused the identity of {mspId} on channel {context.ChannelId}: {Text.OneLine(message)}";
        var fix = message.Contains("creator org unknown", StringComparison.Ordinal)
            ? $"{mspId} is not an organisation of channel {context.ChannelId}, or your certificate (issued by {issuer}) was not issued for {mspId}: " +
              $"use an identity of a member organisation with the MSP id of the CA that issued its certificate, or add {mspId} to the channel"
            : $"your certificate (issued by {issuer}) is not valid for {mspId} on this channel (not issued by its CA, expired, revoked, or lacking the role the channel policies need): use a valid identity of {mspId}";
        return new DoctorCheck(Channel, mspId, CheckOutcome.Fail, $"{mspId} is not accepted on channel {context.ChannelId}", reason, fix, FailureKind.Endorsement, answer.Elapsed);
    }

    /// <summary>The signer's MSP id is an application organisation of the channel and its certificate chains to that MSP's CAs.</summary>
    private static DoctorCheck Membership(DoctorContext context, ChannelConfigView config)
    {
        var signer = context.Connections.Signer;
        var members = string.Join(", ", config.Organizations.Select(o => o.MspId));
        if (config.Organization(signer.MspId) is not { } org)
        {
            return new DoctorCheck(Channel, signer.MspId, CheckOutcome.Fail, $"{signer.MspId} is not an application organisation of channel {context.ChannelId}",
                $"the application organisations of the channel are {members}",
                $"use an identity of {members}, or add {signer.MspId} to the application organisations of the channel", FailureKind.Endorsement);
        }

        var (chains, detail) = Chains(signer.Certificate, org, context.Time.GetUtcNow());
        return chains
            ? new DoctorCheck(Channel, signer.MspId, CheckOutcome.Pass, $"{signer.MspId} is a member of channel {context.ChannelId}; your certificate chains to {detail}")
            : new DoctorCheck(Channel, signer.MspId, CheckOutcome.Warn, $"{signer.MspId} is a member of channel {context.ChannelId}, but your certificate does not chain to its CAs here",
                detail, "the peers accepted the identity; check the root and intermediate certificates in the channel configuration");
    }

    /// <summary>Whether <paramref name="certificate"/> chains to one of the organisation's roots (through its intermediates).</summary>
    private static (bool Chains, string Detail) Chains(X509Certificate2 certificate, ChannelOrg org, DateTimeOffset now)
    {
        var loaded = new List<X509Certificate2>();
        try
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.VerificationTime = now.UtcDateTime;
            chain.ChainPolicy.VerificationFlags = X509VerificationFlags.IgnoreWrongUsage | X509VerificationFlags.IgnoreInvalidPolicy;
            foreach (var root in org.RootCerts.SelectMany(Load))
            {
                loaded.Add(root);
                chain.ChainPolicy.CustomTrustStore.Add(root);
            }

            foreach (var intermediate in org.IntermediateCerts.SelectMany(Load))
            {
                loaded.Add(intermediate);
                chain.ChainPolicy.ExtraStore.Add(intermediate);
            }

            if (chain.Build(certificate))
            {
                var root = chain.ChainElements[^1].Certificate;
                return (true, $"the root of {org.MspId}, {root.Subject}");
            }

            var status = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
            var roots = string.Join(", ", loaded.Take(org.RootCerts.Count).Select(r => r.Subject));
            return (false, $"issuer {certificate.Issuer}; roots of {org.MspId}: {(roots.Length > 0 ? roots : "none")}; {status}");
        }
        catch (CryptographicException e)
        {
            return (false, $"the chain could not be checked: {e.Message}");
        }
        finally
        {
            loaded.ForEach(c => c.Dispose());
        }
    }

    /// <summary>The certificates of one configuration entry (PEM with one or more blocks, or DER).</summary>
    private static IEnumerable<X509Certificate2> Load(byte[] bytes)
    {
        var text = System.Text.Encoding.ASCII.GetString(bytes);
        if (!text.Contains("-----BEGIN", StringComparison.Ordinal))
        {
            return [X509CertificateLoader.LoadCertificate(bytes)];
        }

        var collection = new X509Certificate2Collection();
        collection.ImportFromPem(text);
        return collection;
    }

    /// <summary>The channel's orderer endpoints (from its configuration), the consensus type, and whether each answers (TCP connect and TLS handshake).</summary>
    private static async Task<IReadOnlyList<DoctorCheck>> OrderersAsync(DoctorContext context, ChannelConfigView config, CancellationToken cancellationToken)
    {
        var connections = context.Connections;
        var consensus = config.Ordering.ConsensusType.Length > 0 ? config.Ordering.ConsensusType : "unknown consensus";
        var discovered = connections.Orderers.Count == 0;
        var subject = $"{context.ChannelId} orderers";
        if (config.OrdererEndpoints.Count == 0)
        {
            return discovered
                ? [new DoctorCheck(Channel, subject, CheckOutcome.Fail, $"channel {context.ChannelId} ({consensus}) names no orderer endpoint",
                    "no orderer was given and the channel configuration names none to find",
                    $"set {DoctorWords.OrdererAddress}, or add the endpoints of the orderer organisations to the channel configuration", FailureKind.Config)]
                : [new DoctorCheck(Channel, subject, CheckOutcome.Pass, $"channel {context.ChannelId} orders with {consensus}; its configuration names no orderer endpoint (the given orderers are used)")];
        }

        var connectTimeout = connections.Peers[0].Connection.ConnectTimeout;
        var started = context.Time.GetTimestamp();
        // A given orderer that passed its TCP and TLS checks answers: only the others are connected to again.
        var answered = context.AnsweringOrderers ?? new HashSet<string>();
        var probes = await Task.WhenAll(config.OrdererEndpoints.Select(e =>
            answered.Contains(e) ? Task.FromResult<string?>(null) : ChannelProbe.ConnectAsync(e, connectTimeout, cancellationToken))).ConfigureAwait(false);
        var elapsed = context.Time.GetElapsedTime(started);
        var answering = config.OrdererEndpoints.Where((_, i) => probes[i] is null).ToList();
        var silent = config.OrdererEndpoints.Select((e, i) => (Endpoint: e, Problem: probes[i])).Where(p => p.Problem is not null).ToList();
        var list = string.Join(", ", config.OrdererEndpoints);
        var summary = $"channel {context.ChannelId} orders with {consensus} ({(config.Ordering.IsBft ? $"BFT quorum {config.Ordering.Quorum(config.OrdererEndpoints.Count)} of {config.OrdererEndpoints.Count}; " : "")}endpoints {list})";
        if (silent.Count == 0)
        {
            return [new DoctorCheck(Channel, subject, CheckOutcome.Pass, $"{summary}: all answer", Elapsed: elapsed)];
        }

        var reason = string.Join("; ", silent.Select(s => $"orderer {s.Endpoint} (from the channel configuration): {s.Problem}"));
        if (!discovered)
        {
            return [new DoctorCheck(Channel, subject, CheckOutcome.Warn, $"{summary}: {silent.Count} of {config.OrdererEndpoints.Count} do not answer", reason,
                "the given orderers are used; start the others, or correct the endpoints in the channel configuration", Elapsed: elapsed)];
        }

        var fix = $"start the orderer(s), or set {DoctorWords.OrdererAddress} to an orderer that answers";
        if (config.Ordering.IsBft)
        {
            var quorum = config.Ordering.Quorum(config.OrdererEndpoints.Count);
            return answering.Count >= quorum
                ? [new DoctorCheck(Channel, subject, CheckOutcome.Warn, $"{summary}: {silent.Count} do not answer, a quorum still does", reason, fix, Elapsed: elapsed)]
                : [new DoctorCheck(Channel, subject, CheckOutcome.Fail, $"{summary}: only {answering.Count} answer, fewer than the BFT quorum {quorum}", reason, fix, FailureKind.Ordering, elapsed)];
        }

        return answering.Count > 0
            ? [new DoctorCheck(Channel, subject, CheckOutcome.Warn, $"{summary}: {silent.Count} of {config.OrdererEndpoints.Count} do not answer (another one is used)", reason, fix, Elapsed: elapsed)]
            : [new DoctorCheck(Channel, subject, CheckOutcome.Fail, $"{summary}: none answers", reason, fix, FailureKind.Connection, elapsed)];
    }

    /// <summary>The chaincode's definition on each peer that accepted the signer, and -I against its init-required flag.</summary>
    private static List<DoctorCheck> DefinitionChecks(DoctorContext context, IReadOnlyList<PeerAnswer> accepted, out QueryChaincodeDefinitionResult? definition)
    {
        definition = null;
        var checks = new List<DoctorCheck>();
        var name = context.ChaincodeName;
        var channel = context.ChannelId;
        var found = new List<(PeerAnswer Answer, QueryChaincodeDefinitionResult Definition)>();
        foreach (var answer in accepted)
        {
            var status = ChannelProbe.StatusOf(answer);
            if (ChannelProbe.Payload(answer) is { } payload)
            {
                try
                {
                    found.Add((answer, QueryChaincodeDefinitionResult.Parser.ParseFrom(payload)));
                }
                catch (InvalidProtocolBufferException e)
                {
                    checks.Add(new DoctorCheck(ChaincodeArea, name, CheckOutcome.Warn, "definition not readable",
                        $"peer {answer.Peer.Address} answered QueryChaincodeDefinition with something unreadable ({e.Message})", null));
                }

                continue;
            }

            var message = Text.OneLine(answer.Response?.Response?.Message ?? "");
            if (status == 404 || message.Contains("is not defined", StringComparison.Ordinal))
            {
                checks.Add(new DoctorCheck(ChaincodeArea, name, CheckOutcome.Fail, $"chaincode {name} is not defined on channel {channel}",
                    $"peer {answer.Peer.Address}: {message}",
                    $"check the chaincode name (names are case-sensitive), or approve and commit a definition of {name} on channel {channel}",
                    FailureKind.Endorsement, answer.Elapsed));
                return checks;
            }

            checks.Add(new DoctorCheck(ChaincodeArea, name, CheckOutcome.Warn, "definition not read",
                $"peer {answer.Peer.Address} did not answer _lifecycle QueryChaincodeDefinition: {answer.Problem}",
                "a peer of Fabric < 2.0 (no _lifecycle) or an ACL that keeps the signer from reading definitions: the chaincode and policy checks are skipped"));
        }

        if (found.Count == 0)
        {
            return checks;
        }

        var (first, def) = found[0];
        definition = def;
        var init = def.InitRequired ? "init required" : "no init required";
        checks.Add(new DoctorCheck(ChaincodeArea, name, CheckOutcome.Pass,
            $"defined on channel {channel}: version {def.Version}, sequence {def.Sequence.ToString(CultureInfo.InvariantCulture)}, {init}", Elapsed: first.Elapsed));
        foreach (var (other, otherDef) in found.Skip(1))
        {
            if (otherDef.Sequence != def.Sequence || otherDef.Version != def.Version)
            {
                checks.Add(new DoctorCheck(ChaincodeArea, name, CheckOutcome.Warn, "peers disagree on the definition",
                    $"peer {first.Peer.Address} has version {def.Version} sequence {def.Sequence}, peer {other.Peer.Address} version {otherDef.Version} sequence {otherDef.Sequence}",
                    "wait until every peer has committed the block of the newest definition"));
            }
        }

        if (context.InitRequired && !def.InitRequired)
        {
            checks.Add(new DoctorCheck(ChaincodeArea, name, CheckOutcome.Fail, "an init invocation of a chaincode that needs none",
                $"the definition of {name} (sequence {def.Sequence}) does not require initialization; a peer refuses an init invocation of it " +
                $"(\"chaincode '{name}' does not require initialization but called as init\")",
                "invoke without the init flag", FailureKind.Endorsement));
        }
        else if (context.InitRequired)
        {
            checks.Add(new DoctorCheck(ChaincodeArea, name, CheckOutcome.Warn, "an init invocation",
                $"the definition of {name} requires initialization; a peer accepts an init invocation only once per definition sequence (\"already initialized but called as init\" after that)",
                "drop the init flag once the chaincode has been initialized"));
        }
        else if (def.InitRequired)
        {
            checks.Add(new DoctorCheck(ChaincodeArea, name, CheckOutcome.Warn, "the definition requires initialization",
                $"until an init invocation of sequence {def.Sequence} has committed, peers refuse other invocations (\"has not been initialized for this version, must call as init first\")",
                "make the first invocation after each definition an init invocation"));
        }

        return checks;
    }

    /// <summary>The endorsement policy against the organisations of the given peers, or (Gateway) against what the Gateway can reach.</summary>
    private static List<DoctorCheck> PolicyChecks(DoctorContext context, ChannelConfigView config, QueryChaincodeDefinitionResult definition, IReadOnlyList<PeerAnswer> accepted)
    {
        var name = context.ChaincodeName;
        EndorsementPolicy policy;
        try
        {
            policy = EndorsementPolicy.FromValidationParameter(definition.ValidationParameter, config);
        }
        catch (PolicyException e)
        {
            return [new DoctorCheck(PolicyArea, name, CheckOutcome.Warn, "endorsement policy not evaluated", e.Message, null)];
        }

        var described = $"the endorsement policy of {name} ({policy.Source}: {policy.Describe()})";
        var peerOrgs = PeerOrganizations(context, accepted);
        if (context.Gateway)
        {
            return GatewayPolicy(context, config, policy, described, peerOrgs);
        }

        var given = peerOrgs.Where(p => p.MspId is not null).ToList();
        var unknown = peerOrgs.Where(p => p.MspId is null).Select(p => p.Address).ToList();
        var mspIds = given.Select(p => p.MspId!).ToList();
        if (policy.IsSatisfiedBy(mspIds))
        {
            return [new DoctorCheck(PolicyArea, name, CheckOutcome.Pass, $"{described} is met by {GivenText(given)}")];
        }

        if (unknown.Count > 0)
        {
            // A peer that did not answer has failed already; its organisation may be the one the policy needs.
            return [Skipped(PolicyArea, name, $"{described} not weighed: the organisation of {string.Join(", ", unknown)} is unknown (no answer)")];
        }

        var missing = policy.MissingOrganizations(mspIds, config.Organizations.Select(o => o.MspId));
        var needs = Needs(policy, mspIds, missing);
        var reason = $"{described} {needs}; you gave only {GivenText(given)}: the transaction would be ordered and then invalidated (ENDORSEMENT_POLICY_FAILURE)";
        var fix = missing.Count == 0
            ? "the policy cannot be met by endorsements of peers alone: change the endorsement policy of the chaincode"
            : $"add a peer of {string.Join(", or of ", missing.Select(m => string.Join(" and ", m)))} ({DoctorWords.PeerAddress}), or let the Gateway choose the endorsers";
        return [new DoctorCheck(PolicyArea, name, CheckOutcome.Fail, "the given peers cannot satisfy the endorsement policy", reason, fix, FailureKind.Invalidated)];
    }

    /// <summary>"needs Org1MSP and Org2MSP" when every organisation the policy names is needed, else the policy's own terms.</summary>
    private static string Needs(EndorsementPolicy policy, IReadOnlyList<string> given, IReadOnlyList<IReadOnlyList<string>> missing)
    {
        var orgs = policy.Organizations;
        if (missing.Count == 1 && orgs.All(o => given.Contains(o, StringComparer.Ordinal) || missing[0].Contains(o, StringComparer.Ordinal)))
        {
            return $"needs {JoinAnd(orgs)}";
        }

        return missing.Count > 0
            ? $"needs a peer of {string.Join(", or of ", missing.Select(JoinAnd))} besides those given"
            : "cannot be met by peers of the organisations of the channel";
    }

    private static string JoinAnd(IReadOnlyList<string> items) =>
        items.Count <= 1 ? string.Concat(items) : $"{string.Join(", ", items.Take(items.Count - 1))} and {items[^1]}";

    private static string GivenText(IReadOnlyList<(string Address, string? MspId)> given) =>
        given.Count == 0 ? "no peer of a known organisation" : string.Join(", ", given.Select(g => $"{g.MspId}'s peer {g.Address}"));

    /// <summary>
    /// Through a Gateway, the gateway peer chooses the endorsers from the peers it knows by gossip: those of its own
    /// organisation, and of the others through their anchor peers in the channel configuration.
    /// </summary>
    internal static List<DoctorCheck> GatewayPolicy(
        DoctorContext context, ChannelConfigView config, EndorsementPolicy policy, string described, IReadOnlyList<(string Address, string? MspId)> peerOrgs)
    {
        var name = context.ChaincodeName;
        var gateway = peerOrgs[0];
        var own = gateway.MspId ?? context.Connections.Signer.MspId;
        var reachable = config.Organizations.Where(o => o.MspId == own || o.AnchorPeers.Count > 0).Select(o => o.MspId).Distinct(StringComparer.Ordinal).ToList();
        var withoutAnchors = config.Organizations.Where(o => o.MspId != own && o.AnchorPeers.Count == 0).Select(o => o.MspId).ToList();
        var anchors = string.Join("; ", config.Organizations.Where(o => o.MspId != own).Select(o =>
            o.AnchorPeers.Count > 0 ? $"{o.MspId}: {string.Join(", ", o.AnchorPeers)}" : $"{o.MspId}: none"));
        var checks = new List<DoctorCheck>();
        if (context.EndorsingOrganizations.Count > 0)
        {
            return EndorsingOrganizationsPolicy(context, policy, described, gateway.Address, reachable, anchors);
        }

        if (policy.IsSatisfiedBy(reachable))
        {
            checks.Add(new DoctorCheck(PolicyArea, name, CheckOutcome.Pass,
                $"the Gateway {gateway.Address} chooses the endorsers; {described} can be met by peers of {JoinAnd(reachable)}"));
            checks.Add(withoutAnchors.Count == 0
                ? new DoctorCheck(GatewayArea, gateway.Address, CheckOutcome.Pass, $"anchor peers of the other organisations: {(anchors.Length > 0 ? anchors : "none needed")}")
                : new DoctorCheck(GatewayArea, gateway.Address, CheckOutcome.Warn, $"no anchor peers for {JoinAnd(withoutAnchors)}",
                    $"anchor peers: {anchors}; the Gateway cannot find peers of {JoinAnd(withoutAnchors)} (not needed for this policy)",
                    $"add anchor peers for {JoinAnd(withoutAnchors)} to the channel configuration"));
            return checks;
        }

        var missing = policy.MissingOrganizations(reachable, config.Organizations.Select(o => o.MspId));
        var needed = missing.SelectMany(m => m).Distinct(StringComparer.Ordinal).ToList();
        var neededWithoutAnchors = needed.Where(withoutAnchors.Contains).ToList();
        var reason = $"{described} needs peers of {JoinAnd(needed.Count > 0 ? needed : policy.Organizations)}, but the Gateway {gateway.Address} ({own}) can find only peers of {JoinAnd(reachable)}: " +
            $"anchor peers: {(anchors.Length > 0 ? anchors : "none")}";
        var fix = neededWithoutAnchors.Count > 0
            ? $"add anchor peers for {JoinAnd(neededWithoutAnchors)} to the channel configuration, or endorse with the peers themselves (a peer of each organisation the policy needs) instead of a Gateway"
            : "change the endorsement policy of the chaincode: it cannot be met by endorsements of peers";
        checks.Add(new DoctorCheck(GatewayArea, gateway.Address, CheckOutcome.Fail, $"the Gateway cannot reach the endorsers the policy of {name} needs", reason, fix, FailureKind.Endorsement));
        return checks;
    }

    /// <summary>
    /// The Gateway told which organisations to endorse on: it endorses there without weighing the policy, so a list that
    /// cannot meet it gets the transaction invalidated; an organisation it cannot reach (not its own, no anchor peer) fails the endorsement.
    /// </summary>
    private static List<DoctorCheck> EndorsingOrganizationsPolicy(
        DoctorContext context, EndorsementPolicy policy, string described, string gateway, IReadOnlyList<string> reachable, string anchors)
    {
        var name = context.ChaincodeName;
        var asked = context.EndorsingOrganizations;
        var unreachable = asked.Where(o => !reachable.Contains(o, StringComparer.Ordinal)).ToList();
        if (unreachable.Count > 0)
        {
            return [new DoctorCheck(GatewayArea, gateway, CheckOutcome.Fail, $"the Gateway cannot reach {JoinAnd(unreachable)}",
                $"the endorsing organisations asked for are {JoinAnd(asked)}, but the Gateway {gateway} can find only peers of {JoinAnd(reachable)} (anchor peers: {(anchors.Length > 0 ? anchors : "none")})",
                $"add anchor peers for {JoinAnd(unreachable)} to the channel configuration, or endorse on {JoinAnd(reachable)} only", FailureKind.Endorsement)];
        }

        if (policy.IsSatisfiedBy(asked))
        {
            return [new DoctorCheck(PolicyArea, name, CheckOutcome.Pass, $"{described} is met by the endorsing organisations asked for, {JoinAnd(asked)}")];
        }

        var missing = policy.MissingOrganizations(asked, reachable);
        var fix = missing.Count == 0
            ? "the policy cannot be met by endorsements of peers alone: change the endorsement policy of the chaincode"
            : $"add {string.Join(", or ", missing.Select(JoinAnd))} to the endorsing organisations, or let the Gateway choose them";
        return [new DoctorCheck(PolicyArea, name, CheckOutcome.Fail, "the endorsing organisations asked for cannot satisfy the endorsement policy",
            $"{described} {Needs(policy, asked, missing)}; the Gateway is asked to endorse on {JoinAnd(asked)} only: the transaction would be ordered and then invalidated (ENDORSEMENT_POLICY_FAILURE)",
            fix, FailureKind.Invalidated)];
    }

    /// <summary>
    /// Each peer's organisation: from its endorsement of the definition query, else the one the connection settings
    /// name (a connection profile); null when neither says.
    /// </summary>
    private static List<(string Address, string? MspId)> PeerOrganizations(DoctorContext context, IReadOnlyList<PeerAnswer> accepted)
    {
        var peers = context.Gateway ? context.Connections.Peers.Take(1).ToList() : context.Connections.Peers.ToList();
        var byPeer = accepted.ToDictionary(a => a.Peer, a => a.EndorserMspId);
        var result = new List<(string, string?)>();
        for (var i = 0; i < peers.Count; i++)
        {
            var mspId = byPeer.GetValueOrDefault(peers[i]) ?? peers[i].MspId;
            result.Add((peers[i].Address, mspId));
        }

        return result;
    }

    private static DoctorCheck Skipped(string area, string subject, string summary) => new(area, subject, CheckOutcome.Skipped, summary);
}
