using FabricInvoke.DevNet.Chaincode;
using FabricInvoke.DevNet.Ledger;
using FabricInvoke.DevNet.Validation;
using Google.Protobuf;

namespace FabricInvoke.DevNet.Peer;

/// <summary>
/// The peer's configuration system chaincode (Fabric core/scc/cscc), the functions a client reads with:
/// <c>GetChannelConfig &lt;channel&gt;</c> (the marshalled common.Config in force) and <c>GetConfigBlock &lt;channel&gt;</c>
/// (the marshalled last config block, as this peer stores it). Both check the channel's ACL
/// (<c>/Channel/Application/Readers</c>); the argument checks, ACL denials and unknown channels answer with a real
/// v2.4 peer's status 500 texts.
/// </summary>
internal sealed class ConfigSystemChaincode(DevPeerNode peer)
{
    public const string Name = "cscc";

    /// <summary>The version a peer gives its system chaincodes.</summary>
    public const string Version = "syscc";

    private const string ReadersPolicy = "/Channel/Application/Readers";

    public ChaincodeResult Invoke(IReadOnlyList<ByteString> args, VerifiedIdentity creator)
    {
        if (args.Count < 1)
        {
            return ChaincodeResult.Error($"Incorrect number of arguments, {args.Count}");
        }

        var function = args[0].ToStringUtf8();
        if (function is not ("GetChannels" or "JoinBySnapshotStatus") && args.Count < 2)
        {
            return ChaincodeResult.Error($"Incorrect number of arguments, {args.Count}");
        }

        switch (function)
        {
            case "GetConfigBlock":
            {
                var channel = args[1].ToStringUtf8();
                return Denied(function, channel, creator) is { } denied ? denied : ConfigBlock() is { } block
                    ? ChaincodeResult.Success(block.ToByteString())
                    : ChaincodeResult.Error($"Unknown channel ID, {channel}");
            }

            case "GetChannelConfig":
            {
                var channel = args[1].ToStringUtf8();
                if (channel.Length == 0)
                {
                    return ChaincodeResult.Error("empty channel name provided");
                }

                return Denied(function, channel, creator) is { } denied ? denied : ConfigBlock() is { } block && ConfigBlocks.ConfigOf(block) is { } config
                    ? ChaincodeResult.Success(config.ToByteString())
                    : ChaincodeResult.Error($"unknown channel ID, {channel}");
            }

            case "JoinChain" or "JoinChainBySnapshot" or "JoinBySnapshotStatus" or "GetChannels":
                // Real peers have these; DevNet's peers are joined to their one channel for good.
                return ChaincodeResult.Error($"{function} is not supported by DevNet peers (they are joined to channel {peer.ChannelId} for good)");

            default:
                return ChaincodeResult.Error($"Requested function {function} not found.");
        }
    }

    /// <summary>The channel ACL check (cscc/… → /Channel/Application/Readers): null when <paramref name="creator"/> passes.</summary>
    private ChaincodeResult? Denied(string function, string channel, VerifiedIdentity creator)
    {
        if (channel != peer.ChannelId)
        {
            return ChaincodeResult.Error($"access denied for [{function}][{channel}]: Failed to get policy manager for channel [{channel}]");
        }

        // Readers of an application org: its admins, peers and clients (the orderer org is not in the Application group).
        if (creator.Member.IsApplicationOrg && creator.Role is "admin" or "peer" or "client")
        {
            return null;
        }

        return ChaincodeResult.Error(
            $"access denied for [{function}][{channel}]: failed evaluating policy on signed data during check policy [{ReadersPolicy}]: " +
            "[implicit policy evaluation failed - 0 sub-policies were satisfied, but this policy requires 1 of the 'Readers' sub-policies to be satisfied]");
    }

    private Protos.Common.Block? ConfigBlock() =>
        peer.Blocks.Last() is { } last ? ConfigBlocks.LastConfigBlock(last, peer.Blocks.Get) : null;
}
