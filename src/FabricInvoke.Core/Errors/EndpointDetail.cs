namespace FabricInvoke.Core.Errors;

/// <summary>What one peer or orderer said about a failure (fabric-gateway's ErrorDetail: address, MSP id, message).</summary>
/// <param name="Address">The node's address as the user wrote it (or as a gateway reported it).</param>
/// <param name="MspId">The node's MSP id when known (gateway details carry it), else null.</param>
/// <param name="Message">The node's own words, on one line.</param>
public sealed record EndpointDetail(string Address, string? MspId, string Message)
{
    /// <summary>One line: <c>address (mspid): message</c>.</summary>
    public override string ToString() => MspId is null ? $"{Address}: {Message}" : $"{Address} ({MspId}): {Message}";
}
