using System.Globalization;

namespace FabricInvoke.DevNet.Host;

/// <summary>
/// The command line of fabinvoke-devnet. It is not a user interface but a small fixed protocol between fabinvoke and
/// this program (fabinvoke checks every user option before it starts it), so there is no help and no option parser:
/// <code>
/// fabinvoke-devnet lease --dir DIR --wait-ms N --owner TEXT
/// fabinvoke-devnet up --dir DIR --orgs N --peers-per-org M --batch-timeout-ms T --batch-size S [--port P] [--durable] [--timings FILE] --wait-ms N --owner TEXT
/// </code>
/// Milliseconds are invariant-culture decimals.
/// </summary>
/// <param name="Attachable">True for <c>up</c>: start an attachable network; false for <c>lease</c>: attach or start one for a single command.</param>
internal sealed record HostRequest(bool Attachable, DevNetOptions Options)
{
    public const string Usage =
        "usage (an internal program that only fabinvoke starts):\n" +
        "  fabinvoke-devnet lease --dir DIR --wait-ms N --owner TEXT\n" +
        "  fabinvoke-devnet up --dir DIR --orgs N --peers-per-org M --batch-timeout-ms T --batch-size S [--port P] [--durable] [--timings FILE] --wait-ms N --owner TEXT";

    /// <summary>Reads the arguments, or says (in <paramref name="error"/>) what is wrong with them.</summary>
    public static bool TryParse(IReadOnlyList<string> args, out HostRequest? request, out string? error)
    {
        request = null;
        error = null;
        if (args.Count == 0 || args[0] is not ("lease" or "up"))
        {
            error = "expected the mode 'lease' or 'up' first";
            return false;
        }

        var up = args[0] == "up";
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var durable = false;
        for (var i = 1; i < args.Count; i++)
        {
            var name = args[i];
            if (up && name == "--durable")
            {
                durable = true;
                continue;
            }

            var allowed = name is "--dir" or "--wait-ms" or "--owner"
                || (up && name is "--orgs" or "--peers-per-org" or "--batch-timeout-ms" or "--batch-size" or "--port" or "--timings");
            if (!allowed || i + 1 >= args.Count || !values.TryAdd(name, args[i + 1]))
            {
                error = $"unexpected or repeated argument '{name}'";
                return false;
            }

            i++;
        }

        string[] required = up ? ["--dir", "--wait-ms", "--owner", "--orgs", "--peers-per-org", "--batch-timeout-ms", "--batch-size"] : ["--dir", "--wait-ms", "--owner"];
        if (required.FirstOrDefault(r => !values.ContainsKey(r)) is { } missing)
        {
            error = $"missing {missing}";
            return false;
        }

        if (!TryMilliseconds(values["--wait-ms"], out var wait))
        {
            error = "--wait-ms needs milliseconds";
            return false;
        }

        var options = new DevNetOptions
        {
            Directory = Path.GetFullPath(values["--dir"]),
            LockWait = wait,
            OwnerDescription = values["--owner"],
        };
        if (up)
        {
            if (!TryInt(values["--orgs"], out var orgs) || !TryInt(values["--peers-per-org"], out var peersPerOrg) || !TryInt(values["--batch-size"], out var batchSize)
                || !TryMilliseconds(values["--batch-timeout-ms"], out var batchTimeout))
            {
                error = "--orgs, --peers-per-org and --batch-size need integers, --batch-timeout-ms milliseconds";
                return false;
            }

            int? port = null;
            if (values.TryGetValue("--port", out var portText))
            {
                if (!TryInt(portText, out var p))
                {
                    error = "--port needs an integer";
                    return false;
                }

                port = p;
            }

            options = options with
            {
                Orgs = orgs,
                PeersPerOrg = peersPerOrg,
                BatchSize = batchSize,
                BatchTimeout = batchTimeout,
                BasePort = port,
                Durable = durable,
                TimingsFile = values.TryGetValue("--timings", out var timings) ? Path.GetFullPath(timings) : null,
                Attachable = true,
            };
        }

        request = new HostRequest(up, options);
        return true;
    }

    private static bool TryInt(string text, out int value) => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value);

    private static bool TryMilliseconds(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) || !double.IsFinite(ms) || ms < 0)
        {
            return false;
        }

        value = TimeSpan.FromMilliseconds(ms);
        return true;
    }
}
