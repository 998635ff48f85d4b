using FabricInvoke.RealFabric.Tests.Infrastructure;
using static FabricInvoke.RealFabric.Tests.Differential.ScenarioContext;
using O = FabricInvoke.RealFabric.Tests.Infrastructure.OutcomeClass;

namespace FabricInvoke.RealFabric.Tests.Differential;

/// <summary>
/// The differential table (issue 21): each row runs as the Go peer CLI and as fabinvoke on each real network, and as
/// fabinvoke on DevNet. <c>Expected</c> is what real Fabric gives (the Go CLI's outcome, checked on every run);
/// fabinvoke must give the same class, commit the same way and blame the same nodes.
/// </summary>
public static class Scenarios
{
    /// <summary>A black hole or a wrong TLS root makes the Go CLI wait out its connect timeout: shorter for both CLIs (not
    /// so short that a loaded machine's healthy handshakes miss it).</summary>
    private const string ShortConnect = "5s";

    public static IReadOnlyList<Scenario> All { get; } =
    [
        // Success, four ways of passing arguments.
        new("success-args", O.Success, c => new(c.Invoke(Args("Put", c.Key, "v1")))),
        new("success-function-form", O.Success, c => new(c.Invoke($$"""{"Function":"Put","Args":["{{c.Key}}","v1"]}"""))),
        new("success-transient", O.Success, c => new([.. c.Invoke(Args("Put", c.Key, "v1")), "--transient", """{"secret":"c2VjcmV0"}"""])),
        new("success-utf8", O.Success, c => new(c.Invoke(Args("Put", c.Key, "héllo ✓ 日本 🚀")))) { KeySuffix = "-ü日本", Value = "héllo ✓ 日本 🚀" },
        new("success-as-org2-user", O.Success, c => new(c.Invoke(Args("Put", c.Key, "v1")),
            new Dictionary<string, string?> { ["CORE_PEER_LOCALMSPID"] = IScenarioTarget.MspId(2), ["CORE_PEER_MSPCONFIGPATH"] = c.Target.UserMsp(2) })),

        // The chaincode says no: nothing is ordered.
        new("chaincode-error", O.Endorsement, c => new(c.Invoke(Args("Fail", "boom " + c.Key)))) { Writes = false },
        new("unknown-function", O.Endorsement, c => new(c.Invoke(Args("NoSuchFunction", c.Key)))) { Writes = false },
        new("existing-asset", O.Endorsement, c => new(c.Invoke(Args("CreateAsset", c.Key, "v1")))) { Prepared = "original" },
        new("unknown-chaincode", O.Endorsement, c => new(With(c.Invoke(Args("Put", c.Key, "v1")), "-n", "nosuchchaincode"))),
        new("unknown-channel", O.Endorsement, c => new(With(c.Invoke(Args("Put", c.Key, "v1")), "-C", "nosuchchannel"))),
        new("init-on-non-init-chaincode", O.Endorsement, c => new([.. c.Invoke(Args("Put", c.Key, "v1")), "-I"])),
        new("query-missing-key", O.Endorsement, c => new(Query(c, c.Key))) { Writes = false },

        // `{"Args":[]}`: Fabric runs the contract's default initiator; fabinvoke refuses it as it refuses `{}` (exit 2, nothing sent).
        new("empty-args", O.Success, c => new(c.Invoke("""{"Args":[]}"""))) { Writes = false, FabinvokeDeliberately = O.Usage },

        // Ordered, then invalidated.
        new("one-org-endorsement", O.Invalidated, c => new(c.Invoke(Args("Put", c.Key, "v1"), 1))),
        new("concurrent-incr-mvcc", O.Invalidated, c => new(c.Invoke(Args("Incr", c.Key)))) { Copies = 3 },

        // Identities.
        new("foreign-identity-org3", O.Endorsement, c => new(c.Invoke(Args("Put", c.Key, "v1")),
            new Dictionary<string, string?> { ["CORE_PEER_LOCALMSPID"] = c.Target.ForeignUser().MspId, ["CORE_PEER_MSPCONFIGPATH"] = c.Target.ForeignUser().Msp })),
        new("wrong-msp-id", O.Endorsement, c => new(c.Invoke(Args("Put", c.Key, "v1")),
            new Dictionary<string, string?> { ["CORE_PEER_LOCALMSPID"] = "NoSuchOrgMSP" })),
        new("key-cert-mismatch", O.Config, c => new(c.Invoke(Args("Put", c.Key, "v1")),
            new Dictionary<string, string?> { ["CORE_PEER_MSPCONFIGPATH"] = c.MismatchedMsp() })),

        // TLS and addresses.
        new("wrong-tls-root", O.Connection, c => new(With(With(c.Invoke(Args("Put", c.Key, "v1")), "--tlsRootCertFiles", c.Target.PeerCa(2)), "--connTimeout", ShortConnect)))
            { Blamed = c => [c.Target.PeerAddress(1)] },
        new("host-name-override", O.Success, c => new([.. c.Invoke(Args("Put", c.Key, "v1")), "--ordererTLSHostnameOverride", "localhost"],
            new Dictionary<string, string?> { ["CORE_PEER_TLS_SERVERHOSTOVERRIDE"] = "localhost" })),
        new("wrong-host-name-override", O.Connection, c => new(With(c.Invoke(Args("Put", c.Key, "v1")), "--connTimeout", ShortConnect),
            new Dictionary<string, string?> { ["CORE_PEER_TLS_SERVERHOSTOVERRIDE"] = "wrong.example.com" }))
            { Blamed = c => [c.Target.PeerAddress(1), c.Target.PeerAddress(2)] },
        new("unreachable-peer", O.Connection, c => new(Replaced(c.Invoke(Args("Put", c.Key, "v1")), c.Target.PeerAddress(2), Closed)))
            { Blamed = _ => [Closed] },
        new("black-hole-orderer", O.Connection, c => new(With(With(c.Invoke(Args("Put", c.Key, "v1")), "-o", BlackHole), "--connTimeout", ShortConnect)))
            { Blamed = _ => [BlackHole] },
        new("no-orderer-flag-discovery", O.Success, c => new(Without(c.Invoke(Args("Put", c.Key, "v1")), "-o"))),
        new("gateway", O.Success, c => new(c.Invoke(Args("Put", c.Key, "v1")))
            { FabinvokeArgs = ["chaincode", "invoke", "--gateway", "-C", RealNetwork.ChannelId, "-n", RealNetwork.Chaincode, "-c", Args("Put", c.Key, "v1"),
                "--peerAddresses", c.Target.PeerAddress(1), "--tlsRootCertFiles", c.Target.PeerCa(1), "--connTimeout", ConnTimeout, "--waitForEvent"] })
            { SamePeersCommitted = false },
        new("query-existing-key", O.Success, c => new(Query(c, c.Key))) { Prepared = "stored", Value = "stored", Prints = "stored" },

        // Stopped nodes (restarted after the scenario).
        new("stopped-peer", O.Connection, c => new(c.Invoke(Args("Put", c.Key, "v1")))) { Stops = Node.Org2Peer, Blamed = c => [c.Target.PeerAddress(2)] },
        new("stopped-orderer", O.Connection, c => new(c.Invoke(Args("Put", c.Key, "v1")))) { Stops = Node.FirstOrderer, Blamed = c => [c.Target.OrdererAddress] },

        // --waitForEventTimeout starts after endorsement (Fabric's common.go): a 5 s chaincode fits a 4 s timeout. The
        // timeout is shorter than the chaincode (so a clock started with the endorsement would expire) and leaves the
        // ordering and commit 4 s: with 2 s, the Go CLI itself timed out on Fabric 3.0.0's BFT ordering on a loaded CI machine.
        new("slow-chaincode-short-wait-timeout", O.Success, c => new([.. c.Invoke(Args("Sleep", "5000")), "--waitForEventTimeout", "4s"]))
            { Writes = false, CommitByTxid = true },

        // Mutual TLS (FABRIC_NET_MTLS=1: every node requires a client certificate).
        new("mtls-with-client-certificates", O.Success, c => new(c.Invoke(Args("Put", c.Key, "v1")))) { MutualTlsOnly = true },
        new("mtls-without-any-client-certificate", O.Connection, c => new(Without(Without(Without(c.Invoke(Args("Put", c.Key, "v1")), "--clientauth", isSwitch: true), "--certfile"), "--keyfile"),
            new Dictionary<string, string?> { ["CORE_PEER_TLS_CLIENTAUTHREQUIRED"] = null, ["CORE_PEER_TLS_CLIENTCERT_FILE"] = null, ["CORE_PEER_TLS_CLIENTKEY_FILE"] = null }))
            { MutualTlsOnly = true, Blamed = c => [c.Target.PeerAddress(1), c.Target.PeerAddress(2)], FabinvokeErrorSays = "client certificate" },
        new("mtls-without-orderer-client-certificate", O.Connection, c => new(Without(Without(Without(c.Invoke(Args("Put", c.Key, "v1")), "--clientauth", isSwitch: true), "--certfile"), "--keyfile")))
            { MutualTlsOnly = true, Blamed = c => [c.Target.OrdererAddress], FabinvokeErrorSays = "client certificate" },
    ];

    /// <summary>The rows for a target: the mutual-TLS rows on mutual-TLS targets, the others elsewhere.</summary>
    public static IEnumerable<object[]> For(bool mutualTls) => All.Where(s => s.MutualTlsOnly == mutualTls).Select(s => new object[] { s.Name });

    public static IEnumerable<object[]> Plain => For(mutualTls: false);

    public static IEnumerable<object[]> MutualTls => For(mutualTls: true);

    public static Scenario Named(string name) => All.Single(s => s.Name == name);

    /// <summary><c>chaincode query … Get key</c> on Org1's peer.</summary>
    private static List<string> Query(ScenarioContext c, string key) =>
        ["chaincode", "query", "-C", RealNetwork.ChannelId, "-n", RealNetwork.Chaincode, "-c", Args("Get", key),
            "--peerAddresses", c.Target.PeerAddress(1), "--tlsRootCertFiles", c.Target.PeerCa(1), "--connTimeout", ConnTimeout];
}
