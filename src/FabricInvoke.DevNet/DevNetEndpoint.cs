namespace FabricInvoke.DevNet;

/// <summary>Where a client reaches one DevNet node and which TLS root it trusts for it.</summary>
/// <param name="Name">"peer0.org1.example.com", "orderer.example.com".</param>
/// <param name="MspId">"Org1MSP", "OrdererMSP".</param>
/// <param name="Address">"127.0.0.1:&lt;port&gt;".</param>
/// <param name="TlsRootCertFile">The node's org TLS CA PEM.</param>
public sealed record DevNetEndpoint(string Name, string MspId, string Address, string TlsRootCertFile);
