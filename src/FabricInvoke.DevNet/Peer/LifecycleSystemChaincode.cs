using FabricInvoke.DevNet.Chaincode;
using FabricInvoke.DevNet.Validation;
using FabricInvoke.Protos.Peer.Lifecycle;
using Google.Protobuf;

namespace FabricInvoke.DevNet.Peer;

/// <summary>
/// The read side of the peer's lifecycle system chaincode (Fabric core/chaincode/lifecycle) that a client uses to
/// learn a chaincode's definition: <c>QueryChaincodeDefinition</c> (a marshalled QueryChaincodeDefinitionArgs). DevNet
/// has one chaincode, <c>basic</c>, defined once: sequence 1, no init required, the channel's
/// <c>/Channel/Application/Endorsement</c> policy (MAJORITY), approved by every organisation. An undefined name gets a
/// real v2.4 peer's answer (status 404, "namespace NAME is not defined"). The ACL is the channel's Writers (a client or
/// admin of a member organisation), as a real channel's default _lifecycle/QueryChaincodeDefinition ACL.
/// </summary>
internal sealed class LifecycleSystemChaincode(DevPeerNode peer)
{
    public const string Name = "_lifecycle";

    /// <summary>The endorsement policy of DevNet's chaincode definition: the channel's own.</summary>
    public const string EndorsementPolicyReference = "/Channel/Application/Endorsement";

    public ChaincodeResult Invoke(string channelId, IReadOnlyList<ByteString> args, VerifiedIdentity creator)
    {
        if (args.Count < 1)
        {
            return ChaincodeResult.Error("lifecycle scc must be invoked with arguments");
        }

        var function = args[0].ToStringUtf8();
        if (function != "QueryChaincodeDefinition")
        {
            return ChaincodeResult.Error($"failed to invoke backing implementation of '{function}': {function} is not supported by DevNet peers (its one chaincode, {BasicChaincode.Name}, is defined for good)");
        }

        if (args.Count != 2)
        {
            return ChaincodeResult.Error($"lifecycle scc operations require exactly two arguments but received {args.Count}");
        }

        if (channelId.Length == 0)
        {
            return ChaincodeResult.Error($"failed to invoke backing implementation of '{function}': no channel associated with the proposal");
        }

        if (!(creator.Member.IsApplicationOrg && creator.Role is "admin" or "client"))
        {
            return ChaincodeResult.Error(
                $"Failed to authorize invocation due to failed ACL check: Failed evaluating policy on signed data during check policy [/Channel/Application/Writers]: " +
                "[implicit policy evaluation failed - 0 sub-policies were satisfied, but this policy requires 1 of the 'Writers' sub-policies to be satisfied]");
        }

        QueryChaincodeDefinitionArgs query;
        try
        {
            query = QueryChaincodeDefinitionArgs.Parser.ParseFrom(args[1]);
        }
        catch (InvalidProtocolBufferException e)
        {
            return ChaincodeResult.Error($"failed to decode input arg to '{function}': {e.Message}");
        }

        if (query.Name != BasicChaincode.Name)
        {
            return new ChaincodeResult(404, $"namespace {query.Name} is not defined", ByteString.Empty);
        }

        var result = new QueryChaincodeDefinitionResult
        {
            Sequence = 1,
            Version = BasicChaincode.Version,
            EndorsementPlugin = "escc",
            ValidationPlugin = "vscc",
            ValidationParameter = new ApplicationPolicy { ChannelConfigPolicyReference = EndorsementPolicyReference }.ToByteString(),
            InitRequired = false,
        };
        foreach (var org in peer.Msp.ApplicationOrgs)
        {
            result.Approvals.Add(org.MspId, true);
        }

        return ChaincodeResult.Success(result.ToByteString());
    }
}
