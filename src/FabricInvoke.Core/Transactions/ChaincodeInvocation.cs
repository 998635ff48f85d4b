namespace FabricInvoke.Core.Transactions;

/// <summary>What to invoke.</summary>
/// <param name="ChannelId">The channel (empty for channel-less system chaincode calls such as cscc).</param>
/// <param name="ChaincodeName">The chaincode name.</param>
/// <param name="Args">The arguments as sent (the function name, if any, is the first).</param>
/// <param name="Transient">Transient data, written to the proposal in this order.</param>
/// <param name="IsInit">ChaincodeInput.is_init.</param>
internal sealed record ChaincodeInvocation(
    string ChannelId,
    string ChaincodeName,
    IReadOnlyList<byte[]> Args,
    IReadOnlyList<KeyValuePair<string, byte[]>> Transient,
    bool IsInit);
