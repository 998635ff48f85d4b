namespace FabricInvoke.Core.Delivery;

/// <summary>
/// Which peers' commit reports an invoke waits for (--waitFor): every peer (the peer CLI's behaviour), any one, or at
/// least one peer of each listed organisation. Reports from other peers that arrive meanwhile are still reported,
/// never waited for; an invalidation seen before the policy is met fails the invoke.
/// </summary>
internal sealed record CommitPolicy
{
    private CommitPolicy(CommitPolicyKind kind, IReadOnlyList<string> organizations)
    {
        Kind = kind;
        Organizations = organizations;
    }

    /// <summary>Wait for every peer (the peer CLI's behaviour).</summary>
    public static CommitPolicy All { get; } = new(CommitPolicyKind.All, []);

    /// <summary>Wait for the first peer that reports the commit.</summary>
    public static CommitPolicy Any { get; } = new(CommitPolicyKind.Any, []);

    /// <summary>All, any, or per organisation.</summary>
    public CommitPolicyKind Kind { get; }

    /// <summary>The MSP ids for <see cref="CommitPolicyKind.Organizations"/>.</summary>
    public IReadOnlyList<string> Organizations { get; }

    /// <summary>Wait for at least one peer of each organisation in <paramref name="mspIds"/> (at least one; duplicates ignored).</summary>
    public static CommitPolicy OfOrganizations(IReadOnlyList<string> mspIds)
    {
        ArgumentNullException.ThrowIfNull(mspIds);
        ArgumentOutOfRangeException.ThrowIfZero(mspIds.Count);
        return new(CommitPolicyKind.Organizations, mspIds.Distinct(StringComparer.Ordinal).ToList());
    }

    /// <summary>Parses <c>all</c>, <c>any</c> or <c>org:Org1MSP,Org2MSP</c>.</summary>
    public static bool TryParse(string? text, out CommitPolicy policy)
    {
        policy = All;
        var s = text?.Trim() ?? string.Empty;
        if (s.Equals("all", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (s.Equals("any", StringComparison.OrdinalIgnoreCase))
        {
            policy = Any;
            return true;
        }

        if (!s.StartsWith("org:", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var orgs = s[4..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (orgs.Length == 0)
        {
            return false;
        }

        policy = OfOrganizations(orgs);
        return true;
    }

    /// <summary>
    /// The peers whose reports can still satisfy the policy, or an empty list when it is met. <paramref name="valid"/>
    /// are the peers that reported VALID; <paramref name="open"/> those still able to report.
    /// </summary>
    internal IReadOnlyList<string> Missing(IReadOnlyList<(string Address, string? MspId)> peers, ISet<string> valid, ISet<string> open)
    {
        switch (Kind)
        {
            case CommitPolicyKind.Any:
                return valid.Count > 0 ? [] : peers.Select(p => p.Address).Where(open.Contains).ToList();
            case CommitPolicyKind.Organizations:
                var missing = new List<string>();
                foreach (var org in Organizations)
                {
                    var ofOrg = peers.Where(p => p.MspId == org).ToList();
                    if (!ofOrg.Any(p => valid.Contains(p.Address)))
                    {
                        missing.AddRange(ofOrg.Select(p => p.Address).Where(open.Contains));
                    }
                }

                return missing;
            default:
                return peers.Select(p => p.Address).Where(a => !valid.Contains(a)).ToList();
        }
    }

    /// <summary>True when the peers still open can no longer meet the policy.</summary>
    internal bool IsUnreachable(IReadOnlyList<(string Address, string? MspId)> peers, ISet<string> valid, ISet<string> open) =>
        Kind switch
        {
            CommitPolicyKind.Any => valid.Count == 0 && open.Count == 0,
            CommitPolicyKind.Organizations => Organizations.Any(org =>
                !peers.Any(p => p.MspId == org && (valid.Contains(p.Address) || open.Contains(p.Address)))),
            _ => peers.Any(p => !valid.Contains(p.Address) && !open.Contains(p.Address)),
        };

    /// <summary>The policy as --waitFor spells it: <c>all</c>, <c>any</c> or the comma-separated MSP ids.</summary>
    public override string ToString() => Kind switch
    {
        CommitPolicyKind.Any => "any",
        CommitPolicyKind.Organizations => "org:" + string.Join(',', Organizations),
        _ => "all",
    };
}

/// <summary>The shape of a <see cref="CommitPolicy"/>.</summary>
internal enum CommitPolicyKind
{
    /// <summary>Every peer given.</summary>
    All,

    /// <summary>Any one peer.</summary>
    Any,

    /// <summary>At least one peer of each listed organisation.</summary>
    Organizations,
}
