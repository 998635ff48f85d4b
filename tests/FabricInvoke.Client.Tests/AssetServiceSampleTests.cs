using System.Net;
using System.Text;
using System.Text.Json;
using FabricInvoke.Samples.AssetService;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace FabricInvoke.Client.Tests;

/// <summary>The sample service, hosted on a free port against DevNet, driven over HTTP as its users would.</summary>
public sealed class AssetServiceSampleTests : IClassFixture<DevNetFixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(2);
    private readonly DevNetFixture _net;

    public AssetServiceSampleTests(DevNetFixture net)
    {
        _net = net;
    }

    [Theory]
    [InlineData("Direct")]
    [InlineData("Gateway")]
    public async Task Put_commits_get_reads_it_back_and_the_event_stream_shows_it(string path)
    {
        var user = _net.Network.User(1);
        var settings = new Dictionary<string, string?>
        {
            ["Fabric:MspId"] = user.MspId,
            ["Fabric:MspPath"] = user.MspDirectory,
            ["Fabric:Channel"] = _net.Network.ChannelId,
            ["Fabric:Chaincode"] = "basic",
            ["Fabric:Path"] = path,
            ["Fabric:Orderers:0:Address"] = _net.Network.Orderer.Address,
            ["Fabric:Orderers:0:TlsRootCertFile"] = _net.Network.Orderer.TlsRootCertFile,
        };
        for (var i = 0; i < _net.Network.Peers.Count; i++)
        {
            settings[$"Fabric:Peers:{i}:Address"] = _net.Network.Peers[i].Address;
            settings[$"Fabric:Peers:{i}:TlsRootCertFile"] = _net.Network.Peers[i].TlsRootCertFile;
        }

        await using var app = AssetService.Create([], builder =>
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Configuration.AddInMemoryCollection(settings);
        });
        await app.StartAsync().WaitAsync(Bound);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        using var http = new HttpClient { BaseAddress = new Uri(address), Timeout = Bound };
        var key = $"sample-{Guid.NewGuid():N}";
        var height = _net.Network.Peers[0].Height;

        // The event stream first, from the current height, so the Put's event cannot be missed.
        using var events = await http.GetAsync(new Uri($"/events?startBlock={height}", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", events.Content.Headers.ContentType?.MediaType);
        using var eventReader = new StreamReader(await events.Content.ReadAsStreamAsync());

        using var put = await http.PutAsync(new Uri($"/assets/{key}", UriKind.Relative), new StringContent("blue", Encoding.UTF8));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        using var committed = JsonDocument.Parse(await put.Content.ReadAsStringAsync());
        var txId = committed.RootElement.GetProperty("TxId").GetString();
        Assert.Matches("^[0-9a-f]{64}$", txId);

        Assert.Equal("blue", await http.GetStringAsync(new Uri($"/assets/{key}", UriKind.Relative)));
        using var missing = await http.GetAsync(new Uri($"/assets/{key}-none", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        // server-sent events: "id:", "event:", "data:" lines, then a blank line.
        string? data = null;
        while (await eventReader.ReadLineAsync().WaitAsync(Bound) is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal) && line.Contains(txId!, StringComparison.Ordinal))
            {
                data = line["data: ".Length..];
                break;
            }
        }

        Assert.NotNull(data);
        using var e = JsonDocument.Parse(data);
        Assert.Equal("Put", e.RootElement.GetProperty("Name").GetString());
        Assert.Equal(key, e.RootElement.GetProperty("Payload").GetString());
        Assert.Equal(committed.RootElement.GetProperty("Block").GetUInt64(), e.RootElement.GetProperty("Block").GetUInt64());

        await app.StopAsync().WaitAsync(Bound);
    }
}
