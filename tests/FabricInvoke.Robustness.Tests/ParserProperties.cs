using System.Globalization;
using System.Net;
using FabricInvoke.Cli.Output;
using FabricInvoke.Core.Configuration;
using FabricInvoke.Core.Errors;
using FabricInvoke.Robustness.Tests.Infrastructure;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace FabricInvoke.Robustness.Tests;

/// <summary>Addresses, durations and the logging spec: every string is a value or one usage line.</summary>
public sealed class ParserProperties
{
    private const string HostChars = "abz09.-_:[]%#?/@\\<>|,;=!$&'()*+~ \tä";

    /// <summary>Strings shaped like addresses: optional scheme, a host from a hostile alphabet, optional :port.</summary>
    private static Gen<string> AddressLike { get; } =
        from scheme in Gen.Elements("", "", "grpc://", "grpcs://", "GRPCS://", "http://", "grpcs://grpc://")
        from bracket in Gen.Frequency((4, Gen.Constant(false)), (1, Gen.Constant(true)))
        from host in Generators.Text(Gen.Elements(HostChars.ToCharArray()), 10)
        from port in Gen.OneOf(
            Gen.Choose(-2, 70000).Select(p => ":" + p.ToString(CultureInfo.InvariantCulture)),
            Gen.Elements("", ":", ":0", ":65535", ":65536", ": 1", ":+1", ":0x10", ":٣", ":007051"))
        select scheme + (bracket ? "[" + host + "]" : host) + port;

    private static Gen<string> Addresses { get; } = Gen.Frequency(
        (3, AddressLike),
        (1, Generators.Text(Generators.AnyChar, 30)));

    [Property(MaxTest = 500)]
    public Property Addresses_parse_to_a_valid_port_or_a_usage_error_and_round_trip() =>
        Prop.ForAll(Addresses.ToArbitrary(), text =>
        {
            Endpoint? endpoint = null;
            var failure = Assertions.SucceedsOr(FailureKind.Usage, () => endpoint = Endpoint.Parse(text, "peer"));
            if (failure is not null)
            {
                Assert.StartsWith("invalid peer address", failure.Message, StringComparison.Ordinal);
                return;
            }

            Assert.InRange(endpoint!.Port, 1, 65535);
            Assert.Equal(endpoint, Endpoint.Parse(endpoint.ToString(), "peer"));

            // What the connection dials (NodeConnection builds this URI) must be the node the user named.
            var uri = new Uri($"http://{endpoint}");
            Assert.Equal(endpoint.Port, uri.Port);
            Assert.True(SameHost(uri, endpoint.Host), $"'{text}' parsed as host '{endpoint.Host}' but dials '{uri.Host}'");
        });

    private static bool SameHost(Uri uri, string host) =>
        IPAddress.TryParse(host, out var address)
            ? IPAddress.TryParse(uri.IdnHost, out var dialled) && address.Equals(dialled)
            : string.Equals(uri.Host, host, StringComparison.OrdinalIgnoreCase) || string.Equals(uri.IdnHost, host, StringComparison.OrdinalIgnoreCase);

    [Property(MaxTest = 500)]
    public Property Duration_parsing_never_throws() =>
        Prop.ForAll(Gen.OneOf(Generators.Text(Gen.Elements("0123456789.smhunµ -+eE".ToCharArray()), 16), Generators.Text(Generators.AnyChar, 16)).ToArbitrary(), text =>
        {
            if (GoDuration.TryParse(text, out var duration))
            {
                Assert.True(duration >= TimeSpan.Zero, $"'{text}' parsed as {duration}");
            }
        });

    private static readonly (string Unit, long Nanoseconds)[] Units =
    [
        ("ns", 1), ("us", 1_000), ("µs", 1_000), ("ms", 1_000_000), ("s", 1_000_000_000), ("m", 60_000_000_000), ("h", 3_600_000_000_000),
    ];

    /// <summary>Go durations such as 1h2m3.5s: 1-4 segments of (integer, up to 3 fraction digits, unit).</summary>
    private static Gen<(string Text, long Nanoseconds)[]> Segments { get; } =
        Gen.Choose(1, 4).SelectMany(n => (
            from whole in Gen.Choose(0, 100_000)
            from fractionDigits in Gen.Choose(0, 3)
            from fraction in Gen.Choose(0, 999)
            from unit in Gen.Elements(Units)
            let digits = fractionDigits == 0 ? "" : (fraction % (int)Math.Pow(10, fractionDigits)).ToString(CultureInfo.InvariantCulture).PadLeft(fractionDigits, '0')
            let value = decimal.Parse($"{whole}{(digits.Length > 0 ? "." + digits : "")}", CultureInfo.InvariantCulture)
            select ($"{whole}{(digits.Length > 0 ? "." + digits : "")}{unit.Unit}", (long)Math.Floor(value * unit.Nanoseconds))).ArrayOf(n));

    [Property(MaxTest = 500)]
    public Property Go_durations_parse_to_the_exact_value() =>
        Prop.ForAll(Segments.ToArbitrary(), segments =>
        {
            var text = string.Concat(segments.Select(s => s.Text));
            var expected = TimeSpan.FromTicks(segments.Sum(s => s.Nanoseconds) / 100);
            Assert.True(GoDuration.TryParse(text, out var duration), $"'{text}' refused");
            Assert.True(expected == duration, $"'{text}': expected {expected.Ticks} ticks, got {duration.Ticks}");
        });

    private static Gen<string> Specs { get; } = Gen.Frequency(
        (3, Generators.Text(Gen.Elements("debuginfowarningerrorINFO:=,.chaincodeCmdgrpc ".ToCharArray()), 30)),
        (2, Gen.Choose(1, 4).SelectMany(n => Gen.OneOf(
                Gen.Elements("debug", "INFO", "warn", "warning", "error", "fatal", "panic", "dpanic", "trace", "", " info "),
                Gen.Elements("chaincodeCmd", "chaincode", "grpc", "chaincodeCmd,grpc", "cha", "", "x.y.").SelectMany(m =>
                    Gen.Elements("debug", "info", "bogus", "").Select(l => $"{m}={l}")))
            .ArrayOf(n)).Select(parts => string.Join(':', parts))),
        (1, Generators.Text(Generators.AnyChar, 30)));

    [Property(MaxTest = 500)]
    public Property Logging_spec_is_a_level_or_a_usage_error() =>
        Prop.ForAll(Specs.ToArbitrary(), spec =>
        {
            LogLevel level = default;
            var failure = Assertions.SucceedsOr(FailureKind.Usage, () => level = FabricLog.ParseSpec(spec));
            if (failure is null)
            {
                Assert.True(Enum.IsDefined(level), $"'{spec}' gave {level}");
            }
            else
            {
                Assert.StartsWith("invalid FABRIC_LOGGING_SPEC", failure.Message, StringComparison.Ordinal);
            }
        });
}
