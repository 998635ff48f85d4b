using System.Text;
using System.Text.Json;
using FabricInvoke.Core.Diagnostics.Doctor;
using FabricInvoke.Core.Errors;

namespace FabricInvoke.Cli.Output;

/// <summary>
/// What <c>fabinvoke doctor</c> writes. Text: one line per check on stdout (<c>✔</c> passed, <c>✘</c> an invoke
/// would fail here, <c>!</c> deserves attention, <c>-</c> not checked), with the reason and the fix, and for the first
/// failure one <c>Error:</c> line on stderr. JSON: one object <c>{"ok", "exit_code", "checks": [...]}</c> on stdout
/// instead of the lines. Core's fixes name settings in Fabric terms (<see cref="DoctorWords"/>); here they become the
/// flags and variables of the peer CLI.
/// </summary>
internal static class DoctorOutput
{
    /// <summary>Writes the checks; returns the exit code: the invoke's for the first failing check, else 0.</summary>
    public static int Write(IReadOnlyList<DoctorCheck> checks, OutputFormat format, CliContext context)
    {
        var first = DoctorPipeline.FirstFailure(checks);
        var code = first is null ? ExitCodes.Success : ExitCodes.For(first.Kind ?? FailureKind.Connection);
        if (!context.Progress.TryFinish())
        {
            return ExitCodes.Interrupted;
        }

        if (format == OutputFormat.Json)
        {
            context.Output.WriteLine(Json(checks, code));
        }
        else
        {
            foreach (var check in checks)
            {
                context.Output.WriteLine(Line(check));
            }
        }

        context.Output.Flush();
        if (first is not null)
        {
            context.Error.WriteLine($"Error: {Text.OneLine($"{first.Area} {first.Subject}: {Words(first.Reason ?? first.Summary)}{(first.Fix is null ? "" : "; fix: " + Words(first.Fix))}")}");
        }

        return code;
    }

    /// <summary>One check as a line (never shortened: a reason holds certificate subjects and key ids a person compares); mark, area, subject, summary, and (not passed) the reason and the fix.</summary>
    public static string Line(DoctorCheck check)
    {
        var line = new StringBuilder();
        line.Append(Mark(check.Outcome)).Append(' ').Append(check.Area).Append(' ').Append(check.Subject).Append(": ").Append(Words(check.Summary));
        if (check.Outcome != CheckOutcome.Pass && (check.Reason ?? check.Fix) is not null)
        {
            line.Append(" — ");
            if (check.Reason is { } reason)
            {
                line.Append(Words(reason));
            }

            if (check.Fix is { } fix)
            {
                line.Append(check.Reason is null ? "fix: " : "; fix: ").Append(Words(fix));
            }
        }

        return Text.OneLine(line.ToString());
    }

    private static string Mark(CheckOutcome outcome) => outcome switch
    {
        CheckOutcome.Pass => "✔",
        CheckOutcome.Fail => "✘",
        CheckOutcome.Warn => "!",
        _ => "-",
    };

    /// <summary>Core's Fabric-term phrases for settings (<see cref="DoctorWords"/>) as this CLI's flags and variables, as the peer CLI names them.</summary>
    internal static string Words(string text)
    {
        foreach (var phrase in DoctorWords.All)
        {
            if (text.Contains(phrase, StringComparison.Ordinal))
            {
                text = text.Replace(phrase, FlagWords(phrase), StringComparison.Ordinal);
            }
        }

        return text;
    }

    private static string FlagWords(string phrase) => phrase switch
    {
        DoctorWords.MspFolder => "CORE_PEER_MSPCONFIGPATH",
        DoctorWords.PeerTlsRoot => "--tlsRootCertFiles (in --peerAddresses order)",
        DoctorWords.OrdererTlsRoot => "--cafile",
        DoctorWords.PeerHostOverride => "CORE_PEER_TLS_SERVERHOSTOVERRIDE",
        DoctorWords.OrdererHostOverride => "--ordererTLSHostnameOverride",
        DoctorWords.PeerClientCertificate => "CORE_PEER_TLS_CLIENTAUTHREQUIRED=true, CORE_PEER_TLS_CLIENTCERT_FILE=FILE and CORE_PEER_TLS_CLIENTKEY_FILE=FILE",
        DoctorWords.OrdererClientCertificate => "--clientauth --certfile FILE --keyfile FILE",
        DoctorWords.PeerAddress => "--peerAddresses",
        DoctorWords.OrdererAddress => "-o/--orderer",
        DoctorWords.ConnectTimeout => "--connTimeout",
        _ => phrase,
    };

    /// <summary>The JSON object: <c>ok</c>, <c>exit_code</c>, and each check with its outcome, reason, fix, failure kind and time.</summary>
    public static string Json(IReadOnlyList<DoctorCheck> checks, int exitCode)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteBoolean("ok", exitCode == ExitCodes.Success);
            json.WriteNumber("exit_code", exitCode);
            json.WriteStartArray("checks");
            foreach (var c in checks)
            {
                json.WriteStartObject();
                json.WriteString("area", c.Area);
                json.WriteString("subject", c.Subject);
                json.WriteString("outcome", c.Outcome.ToString().ToLowerInvariant());
                json.WriteString("summary", Words(c.Summary));
                json.WriteString("reason", c.Reason is null ? null : Words(c.Reason));
                json.WriteString("fix", c.Fix is null ? null : Words(c.Fix));
                if (c.Outcome == CheckOutcome.Fail)
                {
                    json.WriteNumber("exit_code", ExitCodes.For(c.Kind ?? FailureKind.Connection));
                }
                else
                {
                    json.WriteNull("exit_code");
                }

                json.WriteNumber("elapsed_ms", Math.Round(c.Elapsed.TotalMilliseconds, 3));
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
