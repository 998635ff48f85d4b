using FabricInvoke.Cli.Output;

namespace FabricInvoke.Cli.Settings;

/// <summary>
/// Every setting of <c>chaincode invoke</c>, stated once: flag names (the Go peer CLI's), environment variable,
/// default and meaning. Options, help text, the binder's precedence (flag, then variable, then default) and the
/// README's flag table all come from these rows.
/// </summary>
internal static class InvokeSettingsTable
{
    public static readonly TimeSpan MinTimeout = TimeSpan.FromMilliseconds(1);

    /// <summary>A day: beyond that a deadline is a mistake (and .NET timers end at ~24.8 days).</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromHours(24);

    public static readonly TimeSpan MaxConnectTimeout = TimeSpan.FromHours(1);

    /// <summary>The words of every <c>--output</c> option.</summary>
    public static readonly IReadOnlyList<(string Word, OutputFormat Value)> OutputFormats = [("text", OutputFormat.Text), ("json", OutputFormat.Json)];

    public static readonly Setting Channel = new(["--channelID", "-C"], null, null, "channel") { Required = true };

    public static readonly Setting Name = new(["--name", "-n"], null, null, "chaincode name") { Required = true };

    public static readonly Setting Ctor = new(["--ctor", "-c"], null, "{}",
        "`{\"Args\":[...]}` or `{\"Function\":\"f\",\"Args\":[...]}`; keys case-insensitive; strings sent as UTF-8; `{}` is refused");

    public static readonly Setting IsInit = new(["--isInit", "-I"], null, "false", "sets `is_init`");

    public static readonly Setting Transient = new(["--transient"], null, null, "JSON object, values base64; never logged");

    public static readonly Setting PeerAddresses = new(["--peerAddresses"], "CORE_PEER_ADDRESS", null,
        "peers to endorse on and wait on, `host:port`") { Required = true, Repeatable = true };

    public static readonly Setting TlsRootCertFiles = new(["--tlsRootCertFiles"], "CORE_PEER_TLS_ROOTCERT_FILE", null,
        "one per peer, in `--peerAddresses` order, when TLS is on") { Repeatable = true, IsPath = true };

    public static readonly Setting ConnectionProfile = new(["--connectionProfile"], "FABINVOKE_CONNECTION_PROFILE", null,
        "a Fabric connection profile (YAML or JSON) that provides the peers (by role), their TLS roots and the orderers; `--peerAddresses` replace its peers, `-o` its orderers, `CORE_PEER_ADDRESS` does not (README: Connection profiles)") { IsPath = true };

    public static readonly Setting TlsEnabled = new([], "CORE_PEER_TLS_ENABLED", "false", "TLS to peers");

    public static readonly Setting ServerHostOverride = new([], "CORE_PEER_TLS_SERVERHOSTOVERRIDE", null, "host name checked in every peer certificate");

    public static readonly Setting ClientAuthRequired = new([], "CORE_PEER_TLS_CLIENTAUTHREQUIRED", "false",
        "mutual TLS to peers; also binds the deliver request to the client certificate (`tls_cert_hash`)");

    public static readonly Setting ClientCertFile = new([], "CORE_PEER_TLS_CLIENTCERT_FILE", null, "client certificate for peers (mutual TLS): ECDSA, RSA or Ed25519");

    public static readonly Setting ClientKeyFile = new([], "CORE_PEER_TLS_CLIENTKEY_FILE", null, "client key for peers (mutual TLS)");

    public static readonly Setting MspId = new([], "CORE_PEER_LOCALMSPID", null, "MSP id of the signer") { Required = true };

    public static readonly Setting MspConfigPath = new([], "CORE_PEER_MSPCONFIGPATH", null,
        "MSP folder (`signcerts/`, `keystore/`); PKCS#8 or SEC1 EC keys (P-256/P-384), or Fabric 3's PKCS#8 Ed25519 keys (cryptogen 3.0)") { Required = true };

    public static readonly DurationSetting ConnTimeout = new(["--connTimeout"], "CORE_PEER_CLIENT_CONNTIMEOUT", "3s",
        "bound on each connection (TCP + TLS, retries included), up to 1h", MinTimeout, MaxConnectTimeout);

    public static readonly Setting Orderer = new(["--orderer", "-o"], null, null,
        "orderers (repeat, or a comma list), tried in order; an unreachable one (at once: only the last is retried within `--connTimeout`) or a SERVICE_UNAVAILABLE one moves on to the next; none: read from the channel configuration through the first peer, as the peer CLI does, and on a BFT channel sent to every orderer at once")
    { Repeatable = true };

    public static readonly Setting Tls = new(["--tls"], null, "false", "TLS to the orderer");

    public static readonly Setting CaFile = new(["--cafile"], null, null, "the orderer's TLS root certificate (PEM)") { IsPath = true };

    public static readonly Setting OrdererHostOverride = new(["--ordererTLSHostnameOverride"], null, null, "host name checked in the orderer certificate");

    public static readonly Setting ClientAuth = new(["--clientauth"], null, "false", "mutual TLS to the orderer");

    public static readonly Setting CertFile = new(["--certfile"], null, null, "client certificate for the orderer (mutual TLS): ECDSA, RSA or Ed25519") { IsPath = true };

    public static readonly Setting KeyFile = new(["--keyfile"], null, null, "client key for the orderer (mutual TLS)") { IsPath = true };

    public static readonly Setting WaitForEvent = new(["--waitForEvent"], null, "false", "wait until every peer reports the commit");

    public static readonly DurationSetting WaitForEventTimeout = new(["--waitForEventTimeout"], null, "30s",
        "one deadline, counted from the end of endorsement as the peer CLI counts it, for connecting the deliver streams, the broadcast and the commit wait (with `--gateway`: the CommitStatus call); up to 24h",
        MinTimeout, MaxTimeout);

    public static readonly DurationSetting RequestTimeout = new(["--requestTimeout"], null, "30s",
        "deadline for each endorsement and broadcast call (the peer CLI has none), up to 24h", MinTimeout, MaxTimeout);

    public static readonly CommitPolicySetting WaitFor = new(["--waitFor"], null, "all",
        "whose commits `--waitForEvent` waits for: `all` peers (the peer CLI's behaviour), `any` one, or `org:Org1MSP,Org2MSP` (a peer of each)");

    public static readonly Setting Gateway = new(["--gateway"], null, "false",
        "go through the first peer's Gateway service (Fabric ≥ 2.4): it endorses as the policy needs, orders, and reports the commit; no `-o` needed");

    public static readonly Setting EndorsingOrganizations = new(["--endorsingOrganizations"], null, null,
        "with `--gateway`: endorse on these organisations only (MSP ids, comma list)");

    public static readonly Setting Batch = new(["--batch"], null, null,
        "submit many transactions: JSON Lines in `FILE` (`-`: stdin), one `-c` object per line, optionally with `\"transient\"` and `\"id\"`; results as JSON Lines on stdout (README: Batch)")
    { IsPath = true };

    public static readonly IntSetting Concurrency = new(["--concurrency"], null, "32", "with `--batch`: transactions in flight at once (1-1000)");

    public static readonly Setting Journal = new(["--journal"], null, null,
        "with `--batch`: journal `FILE` (written and fsynced before each broadcast); run again with the same input and journal after a crash and no line is submitted twice or skipped")
    { IsPath = true };

    public static readonly Setting OutputFile = new(["--output-file"], null, null, "with `--batch`: write the results to `FILE` instead of stdout") { IsPath = true };

    public static readonly Setting SkipInvalidLines = new(["--skip-invalid-lines"], null, "false",
        "with `--batch`: report malformed lines and submit the others (default: exit 2 before anything is sent)");

    public static readonly Setting RetryInvalid = new(["--retry-invalid"], null, "false",
        "with `--batch`: a line invalidated with MVCC_READ_CONFLICT is endorsed again under a new txid (journalled as such), up to 10 times");

    public static readonly Setting Raw = new(["--raw", "-r"], null, "false", "query: print the payload as Go prints a byte slice (`[104 105]`)");

    public static readonly Setting Hex = new(["--hex", "-x"], null, "false", "query: print the payload in hexadecimal");

    public static readonly Setting QueryAll = new(["--queryAll"], null, "false",
        "query: ask every peer given and fail, naming them, when their answers differ (default: the first peer)");

    public static readonly ChoiceSetting<OutputFormat> Output = new(["--output"], null, "text",
        "`text` (the peer CLI's log lines on stderr) or `json` (one result object on stdout, also on failure)", OutputFormats);

    public static readonly Setting NoProgress = new(["--no-progress"], "FABINVOKE_NO_PROGRESS", "false",
        "no live progress line on stderr (it is only ever shown when stderr is a terminal and `CI` is not set)");

    public static readonly Setting DevNet = new(["--devnet"], null, null,
        "run against the embedded network kept in `DIR` (default `.fabinvoke/devnet`): the `devnet up` running from `DIR` if there is one, else started for this command and stopped after it; it provides peers, orderer and identity, so it cannot be combined with `--peerAddresses`, `--tlsRootCertFiles`, `-o` or `--cafile`")
    { HelpName = "DIR", IsPath = true };

    /// <summary>Read by <see cref="Commands.DevNetLauncher.LockWait"/>, which also takes <c>0</c> (do not wait).</summary>
    public static readonly DurationSetting DevNetWait = new([], "FABINVOKE_DEVNET_WAIT", "60s",
        "with `--devnet`: how long to queue behind another one-shot run that owns the folder (`0` to not wait, up to 1h)", TimeSpan.Zero, TimeSpan.FromHours(1));

    public static readonly Setting LoggingSpec = new([], "FABRIC_LOGGING_SPEC", "info", "`debug`, `info`, `warning`, `error`, or `default:chaincodeCmd=level`");

    /// <summary>The settings of <c>chaincode invoke</c>, in the order help and README list them.</summary>
    public static readonly IReadOnlyList<Setting> All =
    [
        Channel, Name, Ctor, IsInit, Transient, PeerAddresses, TlsRootCertFiles, ConnectionProfile, TlsEnabled, ServerHostOverride, ClientAuthRequired,
        ClientCertFile, ClientKeyFile, MspId, MspConfigPath, ConnTimeout, Orderer, Tls, CaFile, OrdererHostOverride, ClientAuth,
        CertFile, KeyFile, WaitForEvent, WaitForEventTimeout, WaitFor, Gateway, EndorsingOrganizations, RequestTimeout, Output, NoProgress, DevNet,
        DevNetWait, LoggingSpec, Batch, Concurrency, Journal, OutputFile, SkipInvalidLines, RetryInvalid,
    ];

    /// <summary><c>chaincode query</c> takes the invoke settings that do not order or wait, and these.</summary>
    public static readonly IReadOnlyList<Setting> QueryOnly = [Raw, Hex, QueryAll];
}
