using System.Security.Cryptography;
using FabricInvoke.DevNet.Chaincode;
using FabricInvoke.DevNet.Validation;
using FabricInvoke.Protos.Common;
using FabricInvoke.Protos.Peer;
using Google.Protobuf;
using Grpc.Core;

namespace FabricInvoke.DevNet.Peer;

/// <summary>
/// The endorser's ProcessProposal (Fabric core/endorser): validate the signed proposal, simulate the chaincode, and
/// sign the result. Validation failures are gRPC errors with code Unknown and Fabric's wording; channel, chaincode and
/// chaincode errors are ProposalResponses with status 500, like a real peer.
/// </summary>
internal sealed class ProposalProcessor(DevPeerNode peer)
{
    public async Task<ProposalResponse> ProcessAsync(SignedProposal signedProposal, CancellationToken cancellationToken)
    {
        var faults = peer.Faults;
        if (faults.EndorsementDelay is var delay && delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }

        if (faults.EndorsementRpcError is { } code)
        {
            throw new RpcException(new Grpc.Core.Status(code, $"injected fault on {peer.Name}"));
        }

        if (peer.Unavailable is { } problem)
        {
            // A peer that cannot write its ledger would endorse against state it may lose; SERVICE_UNAVAILABLE's code.
            return new ProposalResponse { Response = new Response { Status = (int)FabricInvoke.Protos.Common.Status.ServiceUnavailable, Message = $"{peer.Name} {problem}" } };
        }

        Proposal proposal;
        Header header;
        ChannelHeader channelHeader;
        SignatureHeader signatureHeader;
        try
        {
            proposal = Proposal.Parser.ParseFrom(signedProposal.ProposalBytes);
            header = Header.Parser.ParseFrom(proposal.Header);
            channelHeader = ChannelHeader.Parser.ParseFrom(header.ChannelHeader);
            signatureHeader = SignatureHeader.Parser.ParseFrom(header.SignatureHeader);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw Unknown($"error unmarshalling Proposal: {e.Message}");
        }

        if (channelHeader.ChannelId.Length > 0 && channelHeader.ChannelId != peer.ChannelId)
        {
            return new ProposalResponse { Response = new Response { Status = 500, Message = $"channel '{channelHeader.ChannelId}' not found" } };
        }

        // A channel-less proposal is checked against the peer's local MSP (its own organisation) only, and skips the
        // duplicate and access checks (Fabric core/endorser preProcess).
        var channelLess = channelHeader.ChannelId.Length == 0;
        var creator = Validate(signedProposal, channelHeader, signatureHeader, channelLess);

        if (!channelLess && peer.HasTransaction(channelHeader.TxId))
        {
            throw Unknown($"duplicate transaction found [{channelHeader.TxId}]. Creator [{Convert.ToHexStringLower(signatureHeader.Creator.Span)}]");
        }

        ChaincodeHeaderExtension extension;
        ChaincodeProposalPayload proposalPayload;
        ChaincodeInvocationSpec invocation;
        try
        {
            extension = ChaincodeHeaderExtension.Parser.ParseFrom(channelHeader.Extension);
            proposalPayload = ChaincodeProposalPayload.Parser.ParseFrom(proposal.Payload);
            invocation = ChaincodeInvocationSpec.Parser.ParseFrom(proposalPayload.Input);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw Unknown($"error unmarshalling chaincode proposal: {e.Message}");
        }

        if (extension.ChaincodeId?.Name == ConfigSystemChaincode.Name)
        {
            // System chaincodes are not subject to the channel's Writers check; cscc checks its own ACLs.
            var answer = new ConfigSystemChaincode(peer).Invoke(invocation.ChaincodeSpec?.Input?.Args ?? [], creator);
            return SystemChaincodeResponse(answer, header, proposalPayload, channelLess, ConfigSystemChaincode.Name);
        }

        if (extension.ChaincodeId?.Name == LifecycleSystemChaincode.Name)
        {
            // _lifecycle checks its own ACLs (the channel's Writers for QueryChaincodeDefinition).
            var answer = new LifecycleSystemChaincode(peer).Invoke(channelHeader.ChannelId, invocation.ChaincodeSpec?.Input?.Args ?? [], creator);
            return SystemChaincodeResponse(answer, header, proposalPayload, channelLess, LifecycleSystemChaincode.Name);
        }

        if (!creator.Member.IsApplicationOrg)
        {
            throw Unknown($"access denied: channel [{channelHeader.ChannelId}] creator org [{creator.MspId}]");
        }

        var chaincodeName = extension.ChaincodeId?.Name ?? "";
        if (chaincodeName != BasicChaincode.Name || channelLess)
        {
            // On no channel, no application chaincode is defined.
            return Error500(
                $"make sure the chaincode {chaincodeName} has been successfully defined on channel {channelHeader.ChannelId} and try again: chaincode {chaincodeName} not found");
        }

        var input = invocation.ChaincodeSpec?.Input ?? new ChaincodeInput();
        if (input.IsInit)
        {
            return Error500(
                $"error in simulation: failed to execute transaction {channelHeader.TxId}: invalid invocation: chaincode '{chaincodeName}' does not require initialization but called as init");
        }

        var simulator = new TxSimulator(peer.State.Snapshot, channelHeader.TxId);
        simulator.GetState(TxSimulator.DefinitionKey.Namespace, TxSimulator.DefinitionKey.Key);
        var result = await BasicChaincode.InvokeAsync(input.Args, simulator, cancellationToken).ConfigureAwait(false);
        if (faults.EndorsementStatus is var (injectedStatus, injectedMessage))
        {
            result = new ChaincodeResult(injectedStatus, injectedMessage, ByteString.Empty);
        }

        var failed = result.Status >= 400 || faults.EndorsementStatus is not null;
        var action = new ChaincodeAction
        {
            Results = simulator.Results(),
            Response = new Response { Status = result.Status, Message = result.Message, Payload = result.Payload },
            ChaincodeId = new ChaincodeID { Name = BasicChaincode.Name, Version = BasicChaincode.Version },
        };
        if (!failed && simulator.Event is { } ccEvent)
        {
            action.Events = ccEvent.ToByteString();
        }

        if (faults.AlterEndorsementPayload)
        {
            action.Response.Message = $"altered by {peer.Name}";
        }

        var responsePayload = new ProposalResponsePayload
        {
            ProposalHash = ByteString.CopyFrom(ProposalHash(header, proposalPayload)),
            Extension = action.ToByteString(),
        }.ToByteString();

        if (failed)
        {
            return new ProposalResponse
            {
                Response = new Response { Status = result.Status, Message = result.Message },
                Payload = responsePayload,
            };
        }

        return Endorsed(new Response { Status = result.Status, Message = result.Message, Payload = result.Payload }, responsePayload);
    }

    /// <summary>Fabric's UnpackedProposal.Validate, with its error texts.</summary>
    /// <param name="localMsp">Deserialise the creator with the peer's local MSP (its own organisation only), as for channel-less proposals.</param>
    private VerifiedIdentity Validate(SignedProposal signedProposal, ChannelHeader channelHeader, SignatureHeader signatureHeader, bool localMsp)
    {
        var type = (HeaderType)channelHeader.Type;
        if (type is not (HeaderType.EndorserTransaction or HeaderType.Config))
        {
            throw Invalid($"invalid header type {type}");
        }

        if (channelHeader.Epoch != 0)
        {
            throw Invalid("epoch is non-zero");
        }

        if (signatureHeader.Nonce.IsEmpty)
        {
            throw Invalid("nonce is empty");
        }

        if (signatureHeader.Creator.IsEmpty)
        {
            throw Invalid("creator is empty");
        }

        var expected = TxIdHash.Compute(signatureHeader.Nonce, signatureHeader.Creator);
        if (channelHeader.TxId != expected)
        {
            throw Invalid($"incorrectly computed txid '{channelHeader.TxId}' -- expected '{expected}'");
        }

        if (signedProposal.Signature.IsEmpty)
        {
            throw Invalid("empty signature bytes");
        }

        var check = peer.Msp.Check(signatureHeader.Creator);
        if (check.Failure is IdentityFailure.Malformed or IdentityFailure.UnknownMsp || (localMsp && check.ClaimedMspId != peer.Identity.MspId))
        {
            throw Invalid($"access denied: channel [{channelHeader.ChannelId}] creator org unknown, creator is malformed");
        }

        if (check.Identity is null || !check.Identity.Verify(signedProposal.ProposalBytes.Span, signedProposal.Signature.Span))
        {
            throw Invalid($"access denied: channel [{channelHeader.ChannelId}] creator org [{check.ClaimedMspId}]");
        }

        return check.Identity;
    }

    /// <summary>
    /// What the endorser makes of a system chaincode's answer: on no channel, the bare response (never endorsed) —
    /// with the proposal response payload when it failed; on a channel, an endorsed response like any chaincode's.
    /// </summary>
    private ProposalResponse SystemChaincodeResponse(ChaincodeResult answer, Header header, ChaincodeProposalPayload proposalPayload, bool channelLess, string chaincode)
    {
        var response = new Response { Status = answer.Status, Message = answer.Message, Payload = answer.Payload };
        var action = new ChaincodeAction
        {
            Response = response,
            ChaincodeId = new ChaincodeID { Name = chaincode, Version = "syscc" },
        };
        var responsePayload = new ProposalResponsePayload
        {
            ProposalHash = ByteString.CopyFrom(ProposalHash(header, proposalPayload)),
            Extension = action.ToByteString(),
        }.ToByteString();
        if (answer.Status >= 500)
        {
            return new ProposalResponse { Response = response, Payload = responsePayload };
        }

        if (channelLess || answer.Status >= 400)
        {
            return new ProposalResponse { Response = response };
        }

        return Endorsed(response, responsePayload);
    }

    /// <summary>A proposal response endorsed by this peer: its identity's signature over payload ‖ endorser.</summary>
    private ProposalResponse Endorsed(Response response, ByteString responsePayload)
    {
        var endorser = ByteString.CopyFrom(peer.Identity.SerializedIdentity);
        var signed = new byte[responsePayload.Length + endorser.Length];
        responsePayload.Span.CopyTo(signed);
        endorser.Span.CopyTo(signed.AsSpan(responsePayload.Length));
        return new ProposalResponse
        {
            Version = 1,
            Response = response,
            Payload = responsePayload,
            Endorsement = new Endorsement { Endorser = endorser, Signature = ByteString.CopyFrom(peer.Identity.Sign(signed)) },
        };
    }

    /// <summary>SHA-256(channel_header ‖ signature_header ‖ ChaincodeProposalPayload without the transient map).</summary>
    private static byte[] ProposalHash(Header header, ChaincodeProposalPayload payload)
    {
        var withoutTransient = new ChaincodeProposalPayload { Input = payload.Input }.ToByteString();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(header.ChannelHeader.Span);
        hash.AppendData(header.SignatureHeader.Span);
        hash.AppendData(withoutTransient.Span);
        return hash.GetHashAndReset();
    }

    private static ProposalResponse Error500(string message) => new() { Response = new Response { Status = 500, Message = message } };

    private static RpcException Invalid(string message) => Unknown($"error validating proposal: {message}");

    private static RpcException Unknown(string message) => new(new Grpc.Core.Status(StatusCode.Unknown, message));
}
