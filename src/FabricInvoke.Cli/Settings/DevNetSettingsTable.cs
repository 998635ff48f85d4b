namespace FabricInvoke.Cli.Settings;

/// <summary>The settings of <c>devnet up</c>, stated once: flag, default and meaning (help shows them as written here).</summary>
internal static class DevNetSettingsTable
{
    public static readonly Setting Dir = new(["--dir"], null, ".fabinvoke/devnet", "Folder for crypto material, ledger and devnet.env") { HelpName = "DIR", IsPath = true };

    public static readonly IntSetting Orgs = new(["--orgs"], null, "2", "Number of peer organisations");

    public static readonly IntSetting PeersPerOrg = new(["--peers-per-org"], null, "1", "Peers in each organisation");

    /// <summary>Its bounds are the network's; a bad value gets its own message (a Go duration from 1ms to 1h).</summary>
    public static readonly DurationSetting BatchTimeout = new(["--batch-timeout"], null, "100ms", "Orderer batch timeout (1ms to 1h)",
        TimeSpan.FromMilliseconds(1), TimeSpan.FromHours(1));

    public static readonly IntSetting BatchSize = new(["--batch-size"], null, "10", "Orderer batch size (transactions per block)");

    public static readonly IntSetting Port = new(["--port"], null, null, "Fixed ports: the orderer on PORT, peer i on PORT+1+i (default: free ports chosen by the system)");

    public static readonly Setting Durable = new(["--durable"], null, null, "fsync every block before delivering it, so acknowledged blocks survive a machine crash (slower)");

    public static readonly Setting Timings = new(["--timings"], null, null,
        "Append the network's own time per transaction to FILE (orderer received/answered, block cut, each peer's validation and deliver)") { HelpName = "FILE" };
}
