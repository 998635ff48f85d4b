namespace FabricInvoke.DevNet;

/// <summary>A client identity as a Fabric user would configure it: MSP folder plus TLS client certificate files.</summary>
/// <param name="MspId">CORE_PEER_LOCALMSPID.</param>
/// <param name="MspDirectory">CORE_PEER_MSPCONFIGPATH (holds signcerts/, keystore/, cacerts/, config.yaml).</param>
/// <param name="TlsCertFile">TLS client certificate (CORE_PEER_TLS_CLIENTCERT_FILE).</param>
/// <param name="TlsKeyFile">TLS client key (CORE_PEER_TLS_CLIENTKEY_FILE).</param>
/// <param name="TlsCaFile">The org's TLS CA.</param>
public sealed record DevIdentity(string MspId, string MspDirectory, string TlsCertFile, string TlsKeyFile, string TlsCaFile);
