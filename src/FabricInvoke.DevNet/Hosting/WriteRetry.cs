namespace FabricInvoke.DevNet.Hosting;

/// <summary>
/// The backoff between attempts of a node that cannot write its ledger: short at first (a transient error clears
/// fast), doubling to a ceiling low enough that a freed disk is noticed within a second.
/// </summary>
internal static class WriteRetry
{
    public static readonly TimeSpan First = TimeSpan.FromMilliseconds(50);

    public static readonly TimeSpan Ceiling = TimeSpan.FromSeconds(1);

    public static TimeSpan Next(TimeSpan delay) => delay * 2 < Ceiling ? delay * 2 : Ceiling;
}
