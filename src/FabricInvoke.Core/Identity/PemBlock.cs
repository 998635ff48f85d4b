namespace FabricInvoke.Core.Identity;

/// <summary>
/// One PEM block found by <see cref="PemText.Parse"/>: its label (<c>CERTIFICATE</c>, <c>EC PRIVATE KEY</c>, …), any
/// RFC 1421 headers (<c>Proc-Type: 4,ENCRYPTED</c> on an old OpenSSL encrypted key), and the decoded bytes — or no
/// bytes when the block is damaged (its base64 is broken, or its END line is missing or names another label).
/// </summary>
/// <param name="Label">The label of the BEGIN line.</param>
/// <param name="Headers">RFC 1421 <c>Name: value</c> lines before the base64, in order; usually none.</param>
/// <param name="Data">The decoded bytes (DER, for everything fabinvoke reads); null when the block is damaged.</param>
internal sealed record PemBlock(string Label, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[]? Data)
{
    /// <summary>True when a BEGIN line was found but no usable block behind it.</summary>
    public bool IsDamaged => Data is null;

    /// <summary>The value of header <paramref name="name"/> (case-insensitive), or null.</summary>
    public string? Header(string name) =>
        Headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;
}
