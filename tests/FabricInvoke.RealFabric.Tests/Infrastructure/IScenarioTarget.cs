namespace FabricInvoke.RealFabric.Tests.Infrastructure;

/// <summary>A node a scenario stops (and the target restarts after it).</summary>
public enum Node
{
    /// <summary>Org2's peer.</summary>
    Org2Peer,

    /// <summary>The first orderer (2.4.9: the only one; 3.0.0: orderer1 of four).</summary>
    FirstOrderer,
}

/// <summary>
/// A network the differential scenarios run on: a real Fabric network (the Go CLI and fabinvoke) or DevNet
/// (fabinvoke only). Two orgs with one peer each, TLS, channel mychannel, chaincode basic.
/// </summary>
public interface IScenarioTarget
{
    /// <summary>fabric-2.4.9, fabric-3.0.0, fabric-2.4.9-mtls, devnet, devnet-mtls.</summary>
    string Name { get; }

    bool MutualTls { get; }

    /// <summary>True when the Go peer CLI runs here (real Fabric).</summary>
    bool HasGoCli { get; }

    string OrdererAddress { get; }

    string OrdererCa { get; }

    string PeerAddress(int org);

    string PeerCa(int org);

    /// <summary>Every node address (peers and orderers).</summary>
    IReadOnlyList<string> NodeAddresses { get; }

    /// <summary>An org's MSP id (Org1MSP, Org2MSP).</summary>
    static string MspId(int org) => $"Org{org}MSP";

    /// <summary>The MSP folder of User1 or Admin of a channel member org.</summary>
    string UserMsp(int org, string user = "User1");

    /// <summary>User1's TLS client certificate and key of a channel member org.</summary>
    (string Cert, string Key) UserTls(int org);

    /// <summary>A User1 of an organisation that is not a channel member: its MSP id and MSP folder.</summary>
    (string MspId, string Msp) ForeignUser();

    /// <summary>Runs fabinvoke with the target's environment (Org1 User1, as network.env / devnet.env exports it) plus <paramref name="overrides"/>.</summary>
    Task<CliOutcome> Fabinvoke(IReadOnlyDictionary<string, string?> overrides, params string[] args);

    /// <summary>Runs the Go peer CLI likewise (real Fabric only).</summary>
    Task<CliOutcome> PeerCli(IReadOnlyDictionary<string, string?> overrides, params string[] args);

    /// <summary>The value of <paramref name="key"/> read back from the ledger (Get on Org1's peer), or null when there is none.</summary>
    Task<string?> ReadBack(string key);

    /// <summary>Whether <paramref name="txid"/> is in a block (qscc), or null where that cannot be asked.</summary>
    Task<bool?> InBlock(string txid);

    /// <summary>Stops a node.</summary>
    Task Stop(Node node);

    /// <summary>Brings every node back after <see cref="Stop"/>.</summary>
    Task Heal();
}
