using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using FabricInvoke.Cli.Settings;
using FabricInvoke.Core.Errors;
using FabricInvoke.Robustness.Tests.Infrastructure;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace FabricInvoke.Robustness.Tests;

/// <summary>-c/--ctor and --transient: whatever the user types ends in arguments or one usage line, never a crash.</summary>
public sealed class CtorJsonProperties
{
    private static readonly string[] ArgsKeys = ["Args", "args", "ARGS", "aRgS"];
    private static readonly string[] FunctionKeys = ["Function", "function", "FUNCTION"];

    /// <summary>How a user (or a script) might have written the JSON: escaped non-ASCII (\uD83D\uDE00 pairs) or raw UTF-8.</summary>
    private static readonly JavaScriptEncoder[] Encoders = [JavaScriptEncoder.Default, JavaScriptEncoder.UnsafeRelaxedJsonEscaping];

    private static Gen<string[]> ArgLists(int maxArgs) =>
        Gen.Choose(0, maxArgs).SelectMany(n => Generators.ValidText(12).ArrayOf(n));

    private static string Json(JavaScriptEncoder encoder, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = encoder }))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string CtorJsonText(JavaScriptEncoder encoder, string argsKey, string[] args, string? functionKey, string? function) =>
        Json(encoder, w =>
        {
            w.WriteStartObject();
            if (functionKey is not null)
            {
                w.WriteString(functionKey, function);
            }

            w.WriteStartArray(argsKey);
            foreach (var a in args)
            {
                w.WriteStringValue(a);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });

    private static Gen<string> ValidCtors { get; } =
        from encoder in Gen.Elements(Encoders)
        from argsKey in Gen.Elements(ArgsKeys)
        from args in ArgLists(5)
        from withFunction in Gen.Elements(false, true)
        from functionKey in Gen.Elements(FunctionKeys)
        from function in Generators.ValidText(8)
        select CtorJsonText(encoder, argsKey, args, withFunction ? functionKey : null, function);

    [Property(MaxTest = 500)]
    public Property Any_text_is_arguments_or_a_usage_error() =>
        Prop.ForAll(Generators.Text(Generators.AnyChar, 40).ToArbitrary(), text =>
            Assertions.SucceedsOr(FailureKind.Usage, () => CtorJson.ParseArgs(text)));

    [Property(MaxTest = 500)]
    public Property Mutated_ctor_JSON_is_arguments_or_a_usage_error() =>
        Prop.ForAll(ValidCtors.SelectMany(Generators.Mutate).ToArbitrary(), text =>
            Assertions.SucceedsOr(FailureKind.Usage, () => CtorJson.ParseArgs(text)));

    [Property(MaxTest = 300)]
    public Property Args_round_trip_as_UTF8_with_Function_prepended() =>
        Prop.ForAll(
            (from encoder in Gen.Elements(Encoders)
             from argsKey in Gen.Elements(ArgsKeys)
             from args in ArgLists(6)
             from function in Gen.OneOf(Gen.Constant<string?>(null), Generators.ValidText(8).Select(f => (string?)f))
             select (encoder, argsKey, args, function)).ToArbitrary(),
            c =>
            {
                var json = CtorJsonText(c.encoder, c.argsKey, c.args, c.function is null ? null : "Function", c.function);
                var expected = (string.IsNullOrEmpty(c.function) ? c.args : [c.function, .. c.args]).Select(Encoding.UTF8.GetBytes).ToList();
                var failure = Assertions.SucceedsOr(FailureKind.Usage, () =>
                {
                    var parsed = CtorJson.ParseArgs(json);
                    Assert.Equal(expected, parsed);
                });

                // The only refusal of well-formed input: nothing to call.
                Assert.True(failure is null || expected.Count == 0, $"{json} refused: {failure?.Message}");
            });

    [Property(MaxTest = 500)]
    public Property Any_text_is_a_transient_map_or_a_usage_error() =>
        Prop.ForAll(Generators.Text(Generators.AnyChar, 40).ToArbitrary(), text =>
            Assertions.SucceedsOr(FailureKind.Usage, () => CtorJson.ParseTransient(text)));

    private static Gen<(string Key, byte[] Value)[]> TransientEntries { get; } =
        Gen.Choose(0, 4).SelectMany(n => Gen.Zip(Generators.ValidText(6), Generators.Bytes(24)).ArrayOf(n))
            .Select(entries => entries.DistinctBy(e => e.Item1).Select(e => (e.Item1, e.Item2)).ToArray());

    [Property(MaxTest = 300)]
    public Property Transient_maps_round_trip_and_mutations_fail_cleanly() =>
        Prop.ForAll(
            (from encoder in Gen.Elements(Encoders)
             from entries in TransientEntries
             let json = Json(encoder, w =>
             {
                 w.WriteStartObject();
                 foreach (var (key, value) in entries)
                 {
                     w.WriteBase64String(key, value);
                 }

                 w.WriteEndObject();
             })
             from mutated in Generators.Mutate(json)
             select (entries, json, mutated)).ToArbitrary(),
            c =>
            {
                var parsed = CtorJson.ParseTransient(c.json);
                Assert.Equal(c.entries.Select(e => e.Key), parsed.Select(p => p.Key));
                Assert.Equal(c.entries.Select(e => e.Value), parsed.Select(p => p.Value));
                Assertions.SucceedsOr(FailureKind.Usage, () => CtorJson.ParseTransient(c.mutated));
            });

    /// <summary>A secret that is not a valid transient value, in every wrong shape a user might write it.</summary>
    private static Gen<(string Json, string Secret)> BadTransientValues { get; } =
        from secret in Gen.Elements("Pa55w0rd", "c3VwZXItc2VjcmV0", "hunter2!", "s3cr3t value", "0123456789")
                .SelectMany(s => Gen.Choose(100, 999).Select(n => s + n.ToString(System.Globalization.CultureInfo.InvariantCulture)))
        from key in Generators.ValidText(6)
        from shape in Gen.Choose(0, 6)
        let quoted = JsonSerializer.Serialize(secret)
        let value = shape switch
        {
            0 => quoted,                                    // not base64 (or wrong padding)
            1 => JsonSerializer.Serialize(secret + "==="),
            2 => $"[{quoted}]",
            3 => $"{{\"v\":{quoted}}}",
            4 => JsonSerializer.Serialize(" " + Convert.ToBase64String(Encoding.UTF8.GetBytes(secret))),
            5 => secret.All(char.IsAsciiDigit) ? secret : $"{quoted}x",
            _ => $"{quoted} {quoted}",
        }
        select ($"{{{JsonSerializer.Serialize(key)}:{value}}}", secret);

    [Property(MaxTest = 300)]
    public Property Transient_values_never_appear_in_the_error() =>
        Prop.ForAll(BadTransientValues.ToArbitrary(), c =>
        {
            var failure = Assertions.SucceedsOr(FailureKind.Usage, () => CtorJson.ParseTransient(c.Json));
            Assert.NotNull(failure);
            Assert.DoesNotContain(c.Secret, failure.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(c.Secret)), failure.Message, StringComparison.Ordinal);
        });
}
