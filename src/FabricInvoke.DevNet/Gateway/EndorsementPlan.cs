using FabricInvoke.DevNet.Peer;
using FabricInvoke.Protos.Gateway;
using FabricInvoke.Protos.Peer;
using Google.Protobuf;

namespace FabricInvoke.DevNet.Gateway;

/// <summary>
/// A gateway's endorsement plan (Fabric v2.4 internal/pkg/gateway endorsement.go, in behaviour): layouts — how many
/// endorsements each group (here: each organisation) must give — tried in order; the endorsers of each group, tried one
/// after the other when one fails; the first response payload, which every later one must match; and the ErrorDetail of
/// every endpoint that failed. Thread-safe: endorsers of one layout are called in parallel.
/// </summary>
internal sealed class EndorsementPlan
{
    private readonly Lock _gate = new();
    private readonly List<Layout?> _layouts;
    private readonly Dictionary<string, List<DevPeerNode>> _groupEndorsers;
    private readonly Dictionary<DevPeerNode, string> _groupOf = [];
    private readonly List<ErrorDetail> _errors = [];
    private int _nextLayout;
    private ByteString? _responsePayload;

    public EndorsementPlan(IEnumerable<IReadOnlyDictionary<string, int>> layouts, Dictionary<string, List<DevPeerNode>> groupEndorsers)
    {
        _layouts = layouts.Select(l => (Layout?)new Layout(new Dictionary<string, int>(l, StringComparer.Ordinal))).ToList();
        _groupEndorsers = groupEndorsers.ToDictionary(g => g.Key, g => g.Value.ToList(), StringComparer.Ordinal);
        foreach (var (group, peers) in _groupEndorsers)
        {
            foreach (var peer in peers)
            {
                _groupOf[peer] = group;
            }
        }
    }

    /// <summary>The satisfied layout, once one is.</summary>
    public Layout? Completed { get; private set; }

    /// <summary>The payload every endorsement signed (the first successful response's).</summary>
    public ByteString? ResponsePayload
    {
        get
        {
            lock (_gate)
            {
                return _responsePayload;
            }
        }
    }

    public IReadOnlyList<ErrorDetail> Errors
    {
        get
        {
            lock (_gate)
            {
                return _errors.ToList();
            }
        }
    }

    /// <summary>The endorsers of the next usable layout (the first peers of each group it needs), or null when none is left.</summary>
    public IReadOnlyList<DevPeerNode>? Endorsers()
    {
        lock (_gate)
        {
            while (true)
            {
                while (_nextLayout < _layouts.Count && _layouts[_nextLayout] is null)
                {
                    _nextLayout++;
                }

                if (_nextLayout >= _layouts.Count)
                {
                    return null;
                }

                var endorsers = new List<DevPeerNode>();
                var usable = true;
                foreach (var (group, quantity) in _layouts[_nextLayout]!.Required)
                {
                    var available = _groupEndorsers.GetValueOrDefault(group) ?? [];
                    if (quantity > available.Count)
                    {
                        usable = false;
                        break;
                    }

                    endorsers.AddRange(available.Take(quantity));
                    available.RemoveRange(0, quantity);
                }

                if (usable && endorsers.Count > 0)
                {
                    return endorsers;
                }

                _layouts[_nextLayout] = null;
                _nextLayout++;
            }
        }
    }

    /// <summary>
    /// Records <paramref name="endorser"/>'s successful response in every layout that needs its group. False (and an
    /// ErrorDetail) when its payload differs from the first one.
    /// </summary>
    public bool ProcessEndorsement(DevPeerNode endorser, string address, ProposalResponse response)
    {
        lock (_gate)
        {
            var group = _groupOf.GetValueOrDefault(endorser);
            if (group is not null)
            {
                _groupEndorsers[group].Remove(endorser);
            }

            if (_responsePayload is null)
            {
                _responsePayload = response.Payload;
            }
            else if (!_responsePayload.Equals(response.Payload))
            {
                _errors.Add(GatewayErrors.Detail(address, endorser.Identity.MspId, "ProposalResponsePayloads do not match"));
                return false;
            }

            if (group is null)
            {
                return true;
            }

            for (var i = _nextLayout; i < _layouts.Count; i++)
            {
                if (_layouts[i] is not { } layout || !layout.Required.TryGetValue(group, out var quantity))
                {
                    continue;
                }

                layout.Endorsements.Add(response.Endorsement);
                if (quantity > 1)
                {
                    layout.Required[group] = quantity - 1;
                    continue;
                }

                layout.Required.Remove(group);
                if (layout.Required.Count == 0)
                {
                    Completed = layout;
                    return true;
                }
            }

            return true;
        }
    }

    /// <summary>The next peer of <paramref name="failed"/>'s group to try instead; null (and its layouts dropped) when there is none.</summary>
    public DevPeerNode? NextPeerInGroup(DevPeerNode failed)
    {
        lock (_gate)
        {
            var group = _groupOf.GetValueOrDefault(failed);
            if (group is null)
            {
                return null;
            }

            var peers = _groupEndorsers[group];
            if (peers.Count > 0)
            {
                var next = peers[0];
                peers.RemoveAt(0);
                return next;
            }

            for (var i = _nextLayout; i < _layouts.Count; i++)
            {
                if (_layouts[i] is { } layout && layout.Required.ContainsKey(group))
                {
                    _layouts[i] = null;
                }
            }

            _nextLayout++;
            return null;
        }
    }

    public void AddError(ErrorDetail detail)
    {
        lock (_gate)
        {
            _errors.Add(detail);
        }
    }

    /// <summary>One way to satisfy the policy: endorsements still required per group, and those collected.</summary>
    internal sealed class Layout(Dictionary<string, int> required)
    {
        public Dictionary<string, int> Required { get; } = required;

        public List<Endorsement> Endorsements { get; } = [];
    }
}
