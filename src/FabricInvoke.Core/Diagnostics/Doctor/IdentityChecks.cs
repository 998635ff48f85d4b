using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using FabricInvoke.Core.Errors;
using FabricInvoke.Core.Identity;

namespace FabricInvoke.Core.Diagnostics.Doctor;

/// <summary>
/// Doctor check 1, the signing identity, exactly as an invoke loads it (<see cref="MspFolder.Load"/>): the MSP folder
/// readable and its key matching its certificate, the key type, the certificate's validity (and days left), and its
/// NodeOU role when the MSP uses NodeOUs. Reads files only; nothing is sent.
/// </summary>
internal static partial class IdentityChecks
{
    public const string Area = "identity";

    /// <summary>A certificate with fewer days left than this is worth a warning.</summary>
    public static readonly TimeSpan ExpiryWarning = TimeSpan.FromDays(30);

    /// <summary>The checks, and the identity when it loaded (the caller disposes it); null when it did not.</summary>
    public static (IReadOnlyList<DoctorCheck> Checks, SigningIdentity? Signer) Run(string mspConfigPath, string mspId, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(mspConfigPath);
        ArgumentNullException.ThrowIfNull(time);
        var started = time.GetTimestamp();
        SigningIdentity signer;
        try
        {
            signer = MspFolder.Load(mspConfigPath, mspId);
        }
        catch (FabricInvokeException e)
        {
            return ([new DoctorCheck(Area, mspConfigPath, CheckOutcome.Fail, "the signing identity cannot be loaded", e.Message, LoadFix(e.Message), e.Kind, time.GetElapsedTime(started))], null);
        }

        var certificate = signer.Certificate;
        var elapsed = time.GetElapsedTime(started);
        var checks = new List<DoctorCheck>
        {
            new(Area, mspConfigPath, CheckOutcome.Pass,
                $"{mspId} certificate '{certificate.Subject}' and its key {(signer.KeyFile is { } key ? Path.GetFileName(key) : "(in memory)")} match", Elapsed: elapsed),
            new(Area, "key", CheckOutcome.Pass, signer.KeyAlgorithm),
            Validity(certificate, "certificate", time),
            Role(mspConfigPath, certificate),
        };
        return (checks, signer);
    }

    /// <summary>Valid now, with how many days left; a warning under <see cref="ExpiryWarning"/>, a failure when expired or not yet valid.</summary>
    internal static DoctorCheck Validity(X509Certificate2 certificate, string subject, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
        var notBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime());
        var span = $"valid {Stamp(notBefore)} to {Stamp(notAfter)}";
        if (now > notAfter)
        {
            // What the peers answer an expired creator: access denied (the invoke fails at endorsement).
            return new DoctorCheck(Area, subject, CheckOutcome.Fail, $"expired {DaysAgo(now - notAfter)}",
                $"the signing certificate '{certificate.Subject}' expired on {Stamp(notAfter)} ({span}); peers refuse it (access denied)",
                "have the organisation's CA issue a new certificate (enroll again) and put it in signcerts/ with its key in keystore/",
                FailureKind.Endorsement);
        }

        if (now < notBefore)
        {
            return new DoctorCheck(Area, subject, CheckOutcome.Fail, "not valid yet",
                $"the signing certificate '{certificate.Subject}' is not valid before {Stamp(notBefore)}; peers refuse it (access denied)",
                "check this machine's clock, or wait until the certificate is valid", FailureKind.Endorsement);
        }

        var left = notAfter - now;
        var days = ((int)left.TotalDays).ToString(CultureInfo.InvariantCulture);
        return left < ExpiryWarning
            ? new DoctorCheck(Area, subject, CheckOutcome.Warn, $"expires in {days} days ({Stamp(notAfter)})",
                $"fewer than {(int)ExpiryWarning.TotalDays} days left", "have the organisation's CA issue a new certificate before it expires")
            : new DoctorCheck(Area, subject, CheckOutcome.Pass, $"{span} ({days} days left)");
    }

    /// <summary>The NodeOU role (client, admin, peer, orderer) when the MSP folder's config.yaml enables NodeOUs.</summary>
    private static DoctorCheck Role(string mspConfigPath, X509Certificate2 certificate)
    {
        var ous = OrganizationalUnits(certificate);
        var config = Path.Combine(mspConfigPath, "config.yaml");
        string? text = null;
        try
        {
            text = File.Exists(config) ? BoundedFile.ReadText(config, "MSP configuration", FileLimit.Certificates) : null;
        }
        catch (FabricInvokeException)
        {
            // An unreadable config.yaml is not what an invoke reads: the role is then not known, which is said below.
        }

        var shown = ous.Count == 0 ? "no OU" : "OU " + string.Join(", ", ous);
        if (text is null || !NodeOusEnabled().IsMatch(text))
        {
            return new DoctorCheck(Area, "role", CheckOutcome.Pass, $"NodeOUs not enabled in {config} ({shown}): no role to check");
        }

        var roles = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (Match m in OuIdentifier().Matches(text))
        {
            roles[m.Groups["ou"].Value] = m.Groups["role"].Value.ToLowerInvariant();
        }

        var role = ous.Select(ou => roles.TryGetValue(ou, out var r) ? r : null).FirstOrDefault(r => r is not null);
        return role switch
        {
            "client" or "admin" => new DoctorCheck(Area, "role", CheckOutcome.Pass, $"{role} (NodeOU; {shown})"),
            null => new DoctorCheck(Area, "role", CheckOutcome.Warn, $"no NodeOU role ({shown})",
                "NodeOUs are enabled but the certificate carries none of the role OUs of config.yaml; channel policies that name client or admin will not match it",
                "use a client or admin identity of the organisation"),
            _ => new DoctorCheck(Area, "role", CheckOutcome.Warn, $"{role} (NodeOU; {shown})",
                $"a {role} identity submits no transactions in Fabric's usual channel policies (Writers: admin or client)",
                "use a client or admin identity of the organisation"),
        };
    }

    private static List<string> OrganizationalUnits(X509Certificate2 certificate) =>
        certificate.SubjectName.EnumerateRelativeDistinguishedNames()
            .Where(r => r.GetSingleElementType().Value == "2.5.4.11")
            .Select(r => r.GetSingleElementValue() ?? string.Empty)
            .ToList();

    private static string LoadFix(string message) =>
        message.Contains("no private key in the MSP keystore matches", StringComparison.Ordinal)
            ? "put the private key of the signing certificate in keystore/ (or that key's certificate in signcerts/): the two come from the same enrollment"
            : message.Contains("does not exist", StringComparison.Ordinal)
                ? $"point {DoctorWords.MspFolder} at an MSP folder (one with signcerts/ and keystore/)"
                : $"repair the file named, or point {DoctorWords.MspFolder} at another MSP folder";

    private static string Stamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    private static string DaysAgo(TimeSpan ago) => (int)ago.TotalDays switch
    {
        0 => "less than a day ago",
        1 => "1 day ago",
        var n => $"{n.ToString(CultureInfo.InvariantCulture)} days ago",
    };

    [GeneratedRegex(@"NodeOUs:\s*\n\s*Enable:\s*true", RegexOptions.IgnoreCase)]
    private static partial Regex NodeOusEnabled();

    [GeneratedRegex(@"(?<role>Client|Peer|Admin|Orderer)OUIdentifier:\s*\n(?:[ \t]+[^\n]*\n)*?[ \t]+OrganizationalUnitIdentifier:\s*""?(?<ou>[^""\s]+)""?")]
    private static partial Regex OuIdentifier();
}
