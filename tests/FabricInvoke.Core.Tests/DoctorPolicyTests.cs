using FabricInvoke.Core.Configuration;
using FabricInvoke.Core.Connections;
using FabricInvoke.Core.Diagnostics.Doctor;
using FabricInvoke.Core.Errors;
using FabricInvoke.Core.Identity;
using FabricInvoke.Protos.Common;
using FabricInvoke.Protos.Peer.Lifecycle;
using Google.Protobuf;

namespace FabricInvoke.Core.Tests;

/// <summary>
/// The doctor's reading of a channel configuration and its evaluation of endorsement policies, on configuration
/// blocks captured from real networks (Fixtures/doctor: <c>peer channel fetch config</c> of the kit's 2.4.9 etcdraft
/// and 3.0.0 BFT networks) and on signature policies built here.
/// </summary>
public sealed class DoctorPolicyTests
{
    /// <summary>The validation parameter a real 2.4.9 and 3.0.0 peer report for <c>basic</c> (<c>peer lifecycle chaincode querycommitted -O json</c>).</summary>
    private const string RealValidationParameter = "EiAvQ2hhbm5lbC9BcHBsaWNhdGlvbi9FbmRvcnNlbWVudA==";

    private static ChannelConfigView Captured(string version)
    {
        var block = Block.Parser.ParseFrom(File.ReadAllBytes(Fixtures.PathOf($"doctor/fabric-{version}-config-block.bin")));
        var envelope = Envelope.Parser.ParseFrom(block.Data.Data[0]);
        var payload = Payload.Parser.ParseFrom(envelope.Payload);
        var config = ConfigEnvelope.Parser.ParseFrom(payload.Data).Config;
        return ChannelConfigView.Parse(config.ToByteString());
    }

    [Theory]
    [InlineData("2.4.9", "etcdraft", 1)]
    [InlineData("3.0.0", "BFT", 4)]
    public void A_real_channel_configuration_gives_the_application_orgs_their_CAs_anchor_peers_orderers_and_consensus(string version, string consensus, int orderers)
    {
        var config = Captured(version);

        Assert.Equal(["Org1MSP", "Org2MSP"], config.Organizations.Select(o => o.MspId));
        Assert.All(config.Organizations, o =>
        {
            Assert.NotEmpty(o.RootCerts);
            Assert.Single(o.AnchorPeers);
            Assert.Contains("Endorsement", o.Policies.Keys);
        });
        Assert.Equal(consensus, config.Ordering.ConsensusType);
        Assert.Equal(orderers, config.OrdererEndpoints.Count);
        Assert.Null(config.Organization("Org3MSP"));
    }

    [Theory]
    [InlineData("2.4.9")]
    [InlineData("3.0.0")]
    public void The_channel_endorsement_policy_MAJORITY_of_two_orgs_needs_both(string version)
    {
        var policy = EndorsementPolicy.FromValidationParameter(ByteString.FromBase64(RealValidationParameter), Captured(version));

        Assert.Equal("/Channel/Application/Endorsement", policy.Source);
        Assert.Equal("MAJORITY Endorsement of Org1MSP, Org2MSP (2 of 2)", policy.Describe());
        Assert.False(policy.IsSatisfiedBy(["Org1MSP"]));
        Assert.False(policy.IsSatisfiedBy(["Org1MSP", "Org1MSP"]));
        Assert.False(policy.IsSatisfiedBy(["Org3MSP", "Org2MSP"]));
        Assert.True(policy.IsSatisfiedBy(["Org1MSP", "Org2MSP"]));
        var missing = Assert.Single(policy.MissingOrganizations(["Org1MSP"], ["Org1MSP", "Org2MSP"]));
        Assert.Equal(["Org2MSP"], missing);
    }

    [Fact]
    public void A_reference_to_a_policy_the_channel_lacks_is_reported_not_guessed()
    {
        var parameter = new ApplicationPolicy { ChannelConfigPolicyReference = "/Channel/Application/NoSuchPolicy" }.ToByteString();

        var e = Assert.Throws<PolicyException>(() => EndorsementPolicy.FromValidationParameter(parameter, Captured("2.4.9")));
        Assert.Contains("/Channel/Application/NoSuchPolicy", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OutOf_2_of_three_orgs_given_one_lists_each_org_that_would_complete_it()
    {
        var policy = Signature(2, ("Org1MSP", MSPRole.Types.MSPRoleType.Peer), ("Org2MSP", MSPRole.Types.MSPRoleType.Peer), ("Org3MSP", MSPRole.Types.MSPRoleType.Member));

        Assert.Equal("OutOf(2, 'Org1MSP.peer', 'Org2MSP.peer', 'Org3MSP.member')", policy.Describe());
        Assert.False(policy.IsSatisfiedBy(["Org1MSP"]));
        Assert.True(policy.IsSatisfiedBy(["Org3MSP", "Org1MSP"]));
        var missing = policy.MissingOrganizations(["Org1MSP"], []);
        Assert.Equal([["Org2MSP"], ["Org3MSP"]], missing.Select(m => m.ToArray()).ToArray());
    }

    [Fact]
    public void One_endorsement_meets_one_principal_only_as_in_Fabric()
    {
        var policy = Signature(2, ("Org1MSP", MSPRole.Types.MSPRoleType.Peer), ("Org1MSP", MSPRole.Types.MSPRoleType.Member));

        Assert.Equal("AND('Org1MSP.peer', 'Org1MSP.member')", policy.Describe());
        Assert.False(policy.IsSatisfiedBy(["Org1MSP"]));
        Assert.True(policy.IsSatisfiedBy(["Org1MSP", "Org1MSP"]));
    }

    [Fact]
    public void A_policy_that_needs_an_admin_cannot_be_met_by_peers_whatever_is_added()
    {
        var policy = Signature(1, ("Org1MSP", MSPRole.Types.MSPRoleType.Admin));

        Assert.False(policy.IsSatisfiedBy(["Org1MSP", "Org2MSP"]));
        Assert.Empty(policy.MissingOrganizations(["Org1MSP"], ["Org1MSP", "Org2MSP"]));
    }

    [Fact]
    public void Already_met_needs_nothing_more()
    {
        var policy = Signature(1, ("Org1MSP", MSPRole.Types.MSPRoleType.Peer), ("Org2MSP", MSPRole.Types.MSPRoleType.Peer));

        Assert.Equal("OR('Org1MSP.peer', 'Org2MSP.peer')", policy.Describe());
        Assert.Empty(Assert.Single(policy.MissingOrganizations(["Org2MSP"], [])));
    }

    [Theory]
    [InlineData(ImplicitMetaPolicy.Types.Rule.Any, new[] { "Org2MSP" }, true)]
    [InlineData(ImplicitMetaPolicy.Types.Rule.All, new[] { "Org1MSP", "Org2MSP" }, true)]
    [InlineData(ImplicitMetaPolicy.Types.Rule.All, new[] { "Org1MSP" }, false)]
    [InlineData(ImplicitMetaPolicy.Types.Rule.Majority, new[] { "Org2MSP" }, false)]
    public void An_implicit_meta_rule_counts_the_orgs_whose_own_policy_is_met(ImplicitMetaPolicy.Types.Rule rule, string[] peers, bool met)
    {
        // The captured 2.4.9 configuration with its Application/Endorsement rule replaced.
        var block = Block.Parser.ParseFrom(File.ReadAllBytes(Fixtures.PathOf("doctor/fabric-2.4.9-config-block.bin")));
        var payload = Payload.Parser.ParseFrom(Envelope.Parser.ParseFrom(block.Data.Data[0]).Payload);
        var config = ConfigEnvelope.Parser.ParseFrom(payload.Data).Config;
        config.ChannelGroup.Groups["Application"].Policies["Endorsement"].Policy.Value = new ImplicitMetaPolicy { Rule = rule, SubPolicy = "Endorsement" }.ToByteString();
        var view = ChannelConfigView.Parse(config.ToByteString());

        var policy = EndorsementPolicy.FromReference("/Channel/Application/Endorsement", view);

        Assert.Equal(met, policy.IsSatisfiedBy(peers));
    }

    [Fact]
    public void Through_a_gateway_an_org_the_policy_needs_without_anchor_peers_fails_naming_it_and_the_fix()
    {
        // The captured 2.4.9 configuration with Org2MSP's anchor peers removed: the gateway peer (Org1MSP) cannot find
        // a peer of Org2MSP, and MAJORITY of two needs one.
        var config = ConfigWith(c => c.ChannelGroup.Groups["Application"].Groups["Org2MSP"].Values.Remove("AnchorPeers"));
        var policy = EndorsementPolicy.FromReference("/Channel/Application/Endorsement", config);
        using var context = GatewayContext();

        var checks = ChannelChecks.GatewayPolicy(context.Context, config, policy, "the endorsement policy of basic", [("127.0.0.1:7051", "Org1MSP")]);

        var fail = Assert.Single(checks);
        Assert.Equal((CheckOutcome.Fail, FailureKind.Endorsement, "gateway"), (fail.Outcome, fail.Kind, fail.Area));
        Assert.Contains("can find only peers of Org1MSP", fail.Reason, StringComparison.Ordinal);
        Assert.Contains("anchor peers: Org2MSP: none", fail.Reason, StringComparison.Ordinal);
        Assert.StartsWith("add anchor peers for Org2MSP to the channel configuration", fail.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Through_a_gateway_anchor_peers_of_the_other_orgs_let_it_reach_the_endorsers()
    {
        var config = ConfigWith(_ => { });
        var policy = EndorsementPolicy.FromReference("/Channel/Application/Endorsement", config);
        using var context = GatewayContext();

        var checks = ChannelChecks.GatewayPolicy(context.Context, config, policy, "the endorsement policy of basic", [("127.0.0.1:7051", "Org1MSP")]);

        Assert.All(checks, c => Assert.Equal(CheckOutcome.Pass, c.Outcome));
        Assert.Contains(checks, c => c.Summary == $"anchor peers of the other organisations: Org2MSP: {Assert.Single(config.Organization("Org2MSP")!.AnchorPeers)}");
    }

    private static ChannelConfigView ConfigWith(Action<Config> change)
    {
        var block = Block.Parser.ParseFrom(File.ReadAllBytes(Fixtures.PathOf("doctor/fabric-2.4.9-config-block.bin")));
        var payload = Payload.Parser.ParseFrom(Envelope.Parser.ParseFrom(block.Data.Data[0]).Payload);
        var config = ConfigEnvelope.Parser.ParseFrom(payload.Data).Config;
        change(config);
        return ChannelConfigView.Parse(config.ToByteString());
    }

    /// <summary>A gateway doctor context over a peer that is never contacted (the checks under test only read the configuration).</summary>
    private static ContextHolder GatewayContext()
    {
        var signer = MspFolder.Load(Fixtures.Org1Msp, "Org1MSP");
        var factory = ChaincodeCmdFactory.Create(new ConnectionSettings
        {
            Peers = [new NodeEndpoint(Endpoint.Parse("127.0.0.1:7051", "peer"), null, null)],
            PeerTransport = new TransportSettings(TimeSpan.FromSeconds(1), null),
        }, signer);
        return new ContextHolder(signer, factory, new DoctorContext(factory, "mychannel", "basic", false, true, [], TimeSpan.FromSeconds(1), TimeProvider.System));
    }

    private sealed record ContextHolder(SigningIdentity Signer, ChaincodeCmdFactory Factory, DoctorContext Context) : IDisposable
    {
        public void Dispose()
        {
            Factory.Dispose();
            Signer.Dispose();
        }
    }

    private static EndorsementPolicy Signature(int n, params (string MspId, MSPRole.Types.MSPRoleType Role)[] principals)
    {
        var outOf = new SignaturePolicy.Types.NOutOf { N = n };
        var envelope = new SignaturePolicyEnvelope { Rule = new SignaturePolicy { NOutOf = outOf } };
        for (var i = 0; i < principals.Length; i++)
        {
            outOf.Rules.Add(new SignaturePolicy { SignedBy = i });
            envelope.Identities.Add(new MSPPrincipal
            {
                PrincipalClassification = MSPPrincipal.Types.Classification.Role,
                Principal = new MSPRole { MspIdentifier = principals[i].MspId, Role = principals[i].Role }.ToByteString(),
            });
        }

        var parameter = new ApplicationPolicy { SignaturePolicy = envelope }.ToByteString();
        return EndorsementPolicy.FromValidationParameter(parameter, Captured("2.4.9"));
    }
}
