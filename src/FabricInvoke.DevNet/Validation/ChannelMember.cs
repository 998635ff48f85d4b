using System.Security.Cryptography.X509Certificates;

namespace FabricInvoke.DevNet.Validation;

/// <summary>An organisation known to the channel: its MSP ID, root CA and TLS root CA.</summary>
/// <param name="IsApplicationOrg">True for peer orgs (Application/Readers, Writers, Endorsement); false for the orderer org.</param>
internal sealed record ChannelMember(string MspId, X509Certificate2 Ca, X509Certificate2 TlsCa, bool IsApplicationOrg);
