using FabricInvoke.DevNet.Storage;

namespace FabricInvoke.DevNet.Crypto;

/// <summary>
/// A network's whole <c>organizations/</c> tree, loaded and verified: every org's CAs, every peer and the orderer, and
/// each org's Admin and User1. The first time, the tree is built in a temporary folder inside the DevNet folder and
/// renamed into place, so it is either complete or absent; later starts create only what a bigger shape adds (each
/// org or identity folder again whole or not at all) and never touch what exists.
/// </summary>
internal sealed class CryptoTree : IDisposable
{
    private CryptoTree()
    {
    }

    public List<OrgMaterial> Orgs { get; } = [];

    public OrgMaterial OrdererOrg { get; private set; } = null!;

    /// <summary>The peers, org by org; each identity is handed to (and then disposed by) its DevPeerNode.</summary>
    public List<(OrgMaterial Org, NodeMaterial Identity)> Peers { get; } = [];

    /// <summary>The orderer's identity, handed to (and then disposed by) the DevOrdererNode.</summary>
    public NodeMaterial Orderer { get; private set; } = null!;

    /// <summary>Admin and User1 of each org, by (1-based org number, user).</summary>
    public Dictionary<(int Org, string User), DevIdentity> Users { get; } = [];

    /// <exception cref="DevNetMaterialException">Existing material is incomplete or inconsistent (the message names the file).</exception>
    /// <exception cref="IOException">The tree cannot be written.</exception>
    public static CryptoTree Prepare(string organizations, int orgs, int peersPerOrg)
    {
        if (!Directory.Exists(organizations))
        {
            AtomicDirectory.Create(organizations, building =>
            {
                using var tree = Load(building, orgs, peersPerOrg);
                tree.DisposeNodeIdentities();
            });
        }

        return Load(organizations, orgs, peersPerOrg);
    }

    /// <summary>Disposes the org CAs; node identities belong to the nodes once they exist.</summary>
    public void Dispose()
    {
        foreach (var org in Orgs)
        {
            org.Dispose();
        }

        OrdererOrg?.Dispose();
    }

    /// <summary>Disposes the peer and orderer identities (when no node took them).</summary>
    public void DisposeNodeIdentities()
    {
        foreach (var (_, identity) in Peers)
        {
            identity.Dispose();
        }

        Orderer?.Dispose();
    }

    private static CryptoTree Load(string organizations, int orgs, int peersPerOrg)
    {
        var tree = new CryptoTree();
        try
        {
            for (var n = 1; n <= orgs; n++)
            {
                var domain = $"org{n}.example.com";
                var org = OrgMaterial.LoadOrCreate(Path.Combine(organizations, "peerOrganizations", domain), domain, $"Org{n}MSP");
                tree.Orgs.Add(org);
                for (var i = 0; i < peersPerOrg; i++)
                {
                    var name = $"peer{i}.{domain}";
                    tree.Peers.Add((org, org.EnsureIdentity(Path.Combine(org.Directory, "peers", name), name, "peer", tlsServer: true)));
                }

                foreach (var (user, ou) in new[] { ("Admin", "admin"), ("User1", "client") })
                {
                    var name = $"{user}@{domain}";
                    using var identity = org.EnsureIdentity(Path.Combine(org.Directory, "users", name), name, ou, tlsServer: false);
                    tree.Users[(n, user)] = identity.ToDevIdentity();
                }
            }

            tree.OrdererOrg = OrgMaterial.LoadOrCreate(Path.Combine(organizations, "ordererOrganizations", "example.com"), "example.com", "OrdererMSP");
            tree.Orderer = tree.OrdererOrg.EnsureIdentity(
                Path.Combine(tree.OrdererOrg.Directory, "orderers", "orderer.example.com"), "orderer.example.com", "orderer", tlsServer: true);
            using (tree.OrdererOrg.EnsureIdentity(
                       Path.Combine(tree.OrdererOrg.Directory, "users", "Admin@example.com"), "Admin@example.com", "admin", tlsServer: false))
            {
            }

            return tree;
        }
        catch
        {
            tree.DisposeNodeIdentities();
            tree.Dispose();
            throw;
        }
    }
}
