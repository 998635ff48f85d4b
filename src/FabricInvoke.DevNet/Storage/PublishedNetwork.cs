namespace FabricInvoke.DevNet.Storage;

/// <summary>What a running, attachable network tells other processes about itself (the content of devnet.json).</summary>
/// <param name="ProcessId">The owning process.</param>
/// <param name="ChannelId">The channel every peer has joined.</param>
/// <param name="OrganizationsDirectory">The crypto material tree.</param>
/// <param name="RequireClientTls">Whether nodes require client certificates.</param>
/// <param name="Orderer">The orderer.</param>
/// <param name="Peers">Every peer, org by org.</param>
/// <param name="Users">Admin and User1 of each org, by (1-based org number, "Admin"/"User1").</param>
internal sealed record PublishedNetwork(
    int ProcessId,
    string ChannelId,
    string OrganizationsDirectory,
    bool RequireClientTls,
    DevNetEndpoint Orderer,
    IReadOnlyList<DevNetEndpoint> Peers,
    IReadOnlyDictionary<(int Org, string User), DevIdentity> Users);
