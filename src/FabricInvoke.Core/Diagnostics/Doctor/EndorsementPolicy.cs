using System.Globalization;
using FabricInvoke.Protos.Common;
using FabricInvoke.Protos.Msp;
using FabricInvoke.Protos.Peer.Lifecycle;
using Google.Protobuf;

namespace FabricInvoke.Core.Diagnostics.Doctor;

/// <summary>
/// A chaincode's endorsement policy, resolved against the channel configuration so it can be evaluated for a set of
/// endorsing peers before anything is sent: a signature policy (n-out-of over MSP principals), or a reference to a
/// channel policy (<c>/Channel/Application/Endorsement</c>: an implicit meta policy — ANY, ALL or MAJORITY — over
/// the same-named policy of each application organisation). Endorsers are peers: a principal is met by a peer of its
/// MSP when its role is member or peer (organisation-unit and identity principals: by a peer of their MSP, an
/// approximation the text says). As in Fabric, one endorsement meets at most one principal of a signature policy.
/// </summary>
internal sealed class EndorsementPolicy
{
    private readonly Node _root;

    private EndorsementPolicy(Node root, string source)
    {
        _root = root;
        Source = source;
    }

    /// <summary>Where the policy comes from: "signature policy" or the channel policy path it refers to.</summary>
    public string Source { get; }

    /// <summary>The policy in words: <c>MAJORITY of Org1MSP, Org2MSP (2 of 2)</c>, <c>AND('Org1MSP.peer', 'Org2MSP.peer')</c>.</summary>
    public string Describe() => _root.Describe();

    /// <summary>Every MSP id the policy names, in order of first mention.</summary>
    public IReadOnlyList<string> Organizations => _root.Organizations().Distinct(StringComparer.Ordinal).ToList();

    /// <summary>The policy of a chaincode definition (its validation parameter, a marshalled ApplicationPolicy).</summary>
    /// <exception cref="PolicyException">The parameter or a policy it refers to cannot be read or resolved.</exception>
    public static EndorsementPolicy FromValidationParameter(ByteString validationParameter, ChannelConfigView config)
    {
        ArgumentNullException.ThrowIfNull(config);
        ApplicationPolicy policy;
        try
        {
            policy = ApplicationPolicy.Parser.ParseFrom(validationParameter);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new PolicyException($"the endorsement policy of the chaincode is not an application policy ({e.Message})", e);
        }

        return policy.TypeCase switch
        {
            ApplicationPolicy.TypeOneofCase.SignaturePolicy => new EndorsementPolicy(Signature(policy.SignaturePolicy), "signature policy"),
            ApplicationPolicy.TypeOneofCase.ChannelConfigPolicyReference => FromReference(policy.ChannelConfigPolicyReference, config),
            _ => throw new PolicyException("the endorsement policy of the chaincode is empty"),
        };
    }

    /// <summary>A channel policy by path; only Application policies are endorsement policies (<c>/Channel/Application/NAME</c>).</summary>
    /// <exception cref="PolicyException">The path is not an Application policy of the channel.</exception>
    public static EndorsementPolicy FromReference(string path, ChannelConfigView config)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(config);
        const string prefix = "/Channel/Application/";
        if (!path.StartsWith(prefix, StringComparison.Ordinal) || !config.ApplicationPolicies.TryGetValue(path[prefix.Length..], out var policy))
        {
            throw new PolicyException($"the endorsement policy of the chaincode refers to {path}, which the channel configuration does not have");
        }

        return new EndorsementPolicy(FromConfigPolicy(policy, config, path), path);
    }

    /// <summary>Whether endorsements from peers of <paramref name="mspIds"/> (one per entry) meet the policy.</summary>
    public bool IsSatisfiedBy(IReadOnlyList<string> mspIds)
    {
        ArgumentNullException.ThrowIfNull(mspIds);
        return _root.Evaluate(mspIds, new bool[mspIds.Count]);
    }

    /// <summary>
    /// The smallest sets of organisations (from <paramref name="candidates"/>) whose peers, added to
    /// <paramref name="given"/>, would meet the policy; empty when none would (e.g. it needs an admin's signature),
    /// a single empty set when <paramref name="given"/> already meets it. At most <paramref name="limit"/> sets.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<string>> MissingOrganizations(IReadOnlyList<string> given, IEnumerable<string> candidates, int limit = 3)
    {
        ArgumentNullException.ThrowIfNull(given);
        ArgumentNullException.ThrowIfNull(candidates);
        if (IsSatisfiedBy(given))
        {
            return [[]];
        }

        var pool = candidates.Concat(Organizations).Where(m => !given.Contains(m, StringComparer.Ordinal)).Distinct(StringComparer.Ordinal).Take(16).ToList();
        for (var size = 1; size <= pool.Count; size++)
        {
            var found = new List<IReadOnlyList<string>>();
            foreach (var subset in Subsets(pool, size))
            {
                if (IsSatisfiedBy([.. given, .. subset]))
                {
                    found.Add(subset);
                    if (found.Count == limit)
                    {
                        break;
                    }
                }
            }

            if (found.Count > 0)
            {
                return found;
            }
        }

        return [];
    }

    private static IEnumerable<IReadOnlyList<string>> Subsets(IReadOnlyList<string> pool, int size, int start = 0)
    {
        if (size == 0)
        {
            yield return [];
            yield break;
        }

        for (var i = start; i <= pool.Count - size; i++)
        {
            foreach (var rest in Subsets(pool, size - 1, i + 1))
            {
                yield return [pool[i], .. rest];
            }
        }
    }

    private static Node FromConfigPolicy(Policy policy, ChannelConfigView config, string path)
    {
        switch ((Policy.Types.PolicyType)policy.Type)
        {
            case Policy.Types.PolicyType.Signature:
                return Signature(Parse(SignaturePolicyEnvelope.Parser, policy.Value, path));
            case Policy.Types.PolicyType.ImplicitMeta:
                var meta = Parse(ImplicitMetaPolicy.Parser, policy.Value, path);
                var subs = new List<(string MspId, Node Policy)>();
                foreach (var org in config.Organizations)
                {
                    if (org.Policies.TryGetValue(meta.SubPolicy, out var sub))
                    {
                        subs.Add((org.MspId, FromConfigPolicy(sub, config, $"{path} ({org.MspId}/{meta.SubPolicy})")));
                    }
                }

                return new Meta(meta.Rule, meta.SubPolicy, subs);
            default:
                throw new PolicyException($"the channel policy {path} is of type {policy.Type}, which the doctor cannot evaluate");
        }
    }

    private static T Parse<T>(MessageParser<T> parser, ByteString bytes, string path)
        where T : IMessage<T>
    {
        try
        {
            return parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new PolicyException($"the channel policy {path} cannot be read ({e.Message})", e);
        }
    }

    private static Node Signature(SignaturePolicyEnvelope envelope)
    {
        var principals = envelope.Identities.Select(Principal.From).ToList();
        return Rule(envelope.Rule ?? new SignaturePolicy(), principals);
    }

    private static Node Rule(SignaturePolicy rule, IReadOnlyList<Principal> principals) => rule.TypeCase switch
    {
        SignaturePolicy.TypeOneofCase.SignedBy => rule.SignedBy >= 0 && rule.SignedBy < principals.Count
            ? new SignedBy(principals[rule.SignedBy])
            : throw new PolicyException($"the signature policy names principal {rule.SignedBy} of {principals.Count}"),
        SignaturePolicy.TypeOneofCase.NOutOf => new OutOf(rule.NOutOf.N, rule.NOutOf.Rules.Select(r => Rule(r, principals)).ToList()),
        _ => new OutOf(0, []),
    };

    private abstract class Node
    {
        /// <summary>Evaluates against one endorsement per entry of <paramref name="endorsers"/>; <paramref name="used"/> marks those a principal took.</summary>
        public abstract bool Evaluate(IReadOnlyList<string> endorsers, bool[] used);

        public abstract string Describe();

        public abstract IEnumerable<string> Organizations();
    }

    /// <summary>An MSP principal: which MSP, and whether a peer's endorsement can meet it.</summary>
    private sealed record Principal(string MspId, string Text, bool PeerCanMeet)
    {
        public static Principal From(MSPPrincipal principal)
        {
            try
            {
                switch (principal.PrincipalClassification)
                {
                    case MSPPrincipal.Types.Classification.Role:
                        var role = MSPRole.Parser.ParseFrom(principal.Principal);
                        var name = role.Role.ToString().ToLowerInvariant();
                        return new Principal(role.MspIdentifier, $"'{role.MspIdentifier}.{name}'",
                            role.Role is MSPRole.Types.MSPRoleType.Member or MSPRole.Types.MSPRoleType.Peer);
                    case MSPPrincipal.Types.Classification.OrganizationUnit:
                        var ou = OrganizationUnit.Parser.ParseFrom(principal.Principal);
                        return new Principal(ou.MspIdentifier, $"'{ou.MspIdentifier}' unit {ou.OrganizationalUnitIdentifier}", true);
                    case MSPPrincipal.Types.Classification.Identity:
                        var identity = SerializedIdentity.Parser.ParseFrom(principal.Principal);
                        return new Principal(identity.Mspid, $"one identity of '{identity.Mspid}'", true);
                    default:
                        return new Principal("", principal.PrincipalClassification.ToString(), false);
                }
            }
            catch (InvalidProtocolBufferException e)
            {
                throw new PolicyException($"an MSP principal of the policy cannot be read ({e.Message})", e);
            }
        }
    }

    private sealed class SignedBy(Principal principal) : Node
    {
        public override bool Evaluate(IReadOnlyList<string> endorsers, bool[] used)
        {
            if (!principal.PeerCanMeet)
            {
                return false;
            }

            for (var i = 0; i < endorsers.Count; i++)
            {
                if (!used[i] && string.Equals(endorsers[i], principal.MspId, StringComparison.Ordinal))
                {
                    used[i] = true;
                    return true;
                }
            }

            return false;
        }

        public override string Describe() => principal.Text;

        public override IEnumerable<string> Organizations() => principal.MspId.Length > 0 ? [principal.MspId] : [];
    }

    /// <summary>Fabric's n-out-of: each rule in turn, on a copy of the used marks kept only when the rule is met.</summary>
    private sealed class OutOf(int n, IReadOnlyList<Node> rules) : Node
    {
        public override bool Evaluate(IReadOnlyList<string> endorsers, bool[] used)
        {
            var met = 0;
            foreach (var rule in rules)
            {
                var attempt = (bool[])used.Clone();
                if (rule.Evaluate(endorsers, attempt))
                {
                    met++;
                    Array.Copy(attempt, used, used.Length);
                }
            }

            return met >= n;
        }

        public override string Describe()
        {
            if (rules.Count == 1 && n == 1)
            {
                return rules[0].Describe();
            }

            var inner = string.Join(", ", rules.Select(r => r.Describe()));
            return n == rules.Count ? $"AND({inner})" : n == 1 ? $"OR({inner})" : $"OutOf({n.ToString(CultureInfo.InvariantCulture)}, {inner})";
        }

        public override IEnumerable<string> Organizations() => rules.SelectMany(r => r.Organizations());
    }

    /// <summary>ANY / ALL / MAJORITY of the organisations' same-named policies, each evaluated on its own.</summary>
    private sealed class Meta(ImplicitMetaPolicy.Types.Rule rule, string subPolicy, IReadOnlyList<(string MspId, Node Policy)> subs) : Node
    {
        private int Threshold => rule switch
        {
            ImplicitMetaPolicy.Types.Rule.Any => 1,
            ImplicitMetaPolicy.Types.Rule.All => subs.Count,
            _ => subs.Count / 2 + 1,
        };

        public override bool Evaluate(IReadOnlyList<string> endorsers, bool[] used) =>
            subs.Count(s => s.Policy.Evaluate(endorsers, new bool[endorsers.Count])) >= Threshold;

        public override string Describe()
        {
            var orgs = string.Join(", ", subs.Select(s => s.MspId));
            return $"{rule.ToString().ToUpperInvariant()} {subPolicy} of {orgs} ({Threshold.ToString(CultureInfo.InvariantCulture)} of {subs.Count.ToString(CultureInfo.InvariantCulture)})";
        }

        public override IEnumerable<string> Organizations() => subs.Select(s => s.MspId);
    }
}

/// <summary>An endorsement policy that cannot be read or resolved against the channel configuration.</summary>
internal sealed class PolicyException(string message, Exception? inner = null) : Exception(message, inner);
