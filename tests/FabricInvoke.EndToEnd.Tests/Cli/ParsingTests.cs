using System.Text;
using FabricInvoke.Cli.Output;
using FabricInvoke.Cli.Settings;
using FabricInvoke.Core.Configuration;
using FabricInvoke.Core.Diagnostics;

namespace FabricInvoke.EndToEnd.Tests.Cli;

/// <summary>The parsers behind the flags, pinned to what the Go peer CLI accepts.</summary>
public sealed class ParsingTests
{
    private static string[] Strings(IReadOnlyList<byte[]> args) => args.Select(a => Encoding.UTF8.GetString(a)).ToArray();

    [Fact]
    public void Function_is_prepended_to_Args_and_keys_are_case_insensitive()
    {
        Assert.Equal(["Put", "k", "v"], Strings(CtorJson.ParseArgs("""{"function":"Put","ARGS":["k","v"]}""")));
        Assert.Equal(["Put", "k", "v"], Strings(CtorJson.ParseArgs("""{"Args":["Put","k","v"]}""")));
        Assert.Equal(["Get"], Strings(CtorJson.ParseArgs("""{"Function":"Get"}""")));
    }

    [Fact]
    public void Args_are_sent_as_UTF8_bytes_including_empty_strings()
    {
        var args = CtorJson.ParseArgs("""{"Args":["Put","ключ","😀",""]}""");
        Assert.Equal(Encoding.UTF8.GetBytes("ключ"), args[1]);
        Assert.Equal(Encoding.UTF8.GetBytes("😀"), args[2]);
        Assert.Empty(args[3]);
    }

    [Fact]
    public void Transient_values_are_base64_decoded_in_the_order_given()
    {
        var entries = CtorJson.ParseTransient("""{"b":"AQID","a":"","c":null}""");
        Assert.Equal(["b", "a", "c"], entries.Select(e => e.Key));
        Assert.Equal(new byte[] { 1, 2, 3 }, entries[0].Value);
        Assert.Empty(entries[1].Value);
        Assert.Empty(CtorJson.ParseTransient(""));
    }

    [Theory]
    [InlineData("30s", 30_000)]
    [InlineData("100ms", 100)]
    [InlineData("1m30s", 90_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("2h", 7_200_000)]
    public void Go_durations_parse(string text, int milliseconds)
    {
        Assert.True(GoDuration.TryParse(text, out var d));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), d);
    }

    [Theory]
    [InlineData("30")]
    [InlineData("s")]
    [InlineData("3 s")]
    [InlineData("3d")]
    [InlineData("")]
    public void Non_Go_durations_are_refused(string text) => Assert.False(GoDuration.TryParse(text, out _));

    [Theory]
    [InlineData("peer0.org1.example.com:7051", "peer0.org1.example.com", 7051)]
    [InlineData("grpcs://127.0.0.1:7051", "127.0.0.1", 7051)]
    [InlineData("[::1]:7051", "::1", 7051)]
    public void Addresses_are_host_and_port(string text, string host, int port)
    {
        var e = Endpoint.Parse(text, "peer");
        Assert.Equal((host, port), (e.Host, e.Port));
    }

    [Theory]
    [InlineData("info", "Info")]
    [InlineData("DEBUG", "Debug")]
    [InlineData("warning:chaincodeCmd=debug", "Debug")]
    [InlineData("grpc=debug:error", "Error")]
    [InlineData("", "Info")]
    public void Logging_spec_picks_the_chaincodeCmd_level(string spec, string expected) =>
        Assert.Equal(expected, FabricLog.ParseSpec(spec).ToString());

    [Fact]
    public void Response_is_rendered_like_Go_protobuf_text()
    {
        Assert.Equal("status:200 payload:\"v1\"", ProtoText.Response(200, "", "v1"u8));
        Assert.Equal("status:200", ProtoText.Response(200, "", []));
        Assert.Equal("status:500 message:\"no \\\"way\\\"\" payload:\"\\000\\n\\377\"", ProtoText.Response(500, "no \"way\"", new byte[] { 0, 10, 255 }));
    }
}
