using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Json;
using FabricInvoke.Core;
using FabricInvoke.Core.Errors;
using FabricInvoke.Core.Events;

namespace FabricInvoke.Samples.AssetService;

/// <summary>
/// The service: one <see cref="FabricClient"/> for the whole process (it is thread-safe), and three endpoints:
/// <list type="bullet">
/// <item><c>PUT /assets/{key}</c> with the value as the body: submits <c>Put(key, value)</c> and answers once it committed.</item>
/// <item><c>GET /assets/{key}</c>: evaluates <c>Get(key)</c>.</item>
/// <item><c>GET /events?startBlock=N</c>: the chaincode's events as server-sent events, from block N (default: new ones).
/// Each event's <c>id:</c> is its checkpoint (<c>block:txIndex:txId</c>); a client that reconnects with that id as
/// <c>Last-Event-ID</c> (as browsers' EventSource do) gets exactly the events after it.</item>
/// </list>
/// Configuration, section <c>Fabric</c>: <c>MspId</c>, <c>MspPath</c> (an MSP folder), <c>Channel</c>,
/// <c>Chaincode</c>, <c>Path</c> (<c>Direct</c> or <c>Gateway</c>), <c>Peers:N:Address</c> and
/// <c>Peers:N:TlsRootCertFile</c>, the same for <c>Orderers</c>.
/// </summary>
public static class AssetService
{
    /// <summary>Builds the service (not started).</summary>
    /// <param name="args">Command-line arguments (configuration).</param>
    /// <param name="configure">Changes to the builder before it is built (a test sets its URL and configuration here).</param>
    /// <returns>The application.</returns>
    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        configure?.Invoke(builder);
        string Msp(string name) => builder.Configuration[$"Fabric:{name}"] ?? throw new InvalidOperationException($"Fabric:{name} is not set");
        builder.Services.AddSingleton(_ => Signers.FromMspFolder(Msp("MspPath"), Msp("MspId")));
        builder.Services.AddSingleton(services => Connect(
            builder.Configuration.GetSection("Fabric"), ClientIdentity.FromMspFolder(Msp("MspPath"), Msp("MspId")), services.GetRequiredService<ISigner>(), services.GetRequiredService<ILoggerFactory>()));
        builder.Services.AddSingleton(services =>
        {
            var settings = builder.Configuration.GetSection("Fabric");
            return services.GetRequiredService<FabricClient>().GetNetwork(settings["Channel"] ?? "mychannel");
        });
        builder.Services.AddSingleton(services =>
            services.GetRequiredService<FabricNetwork>().GetContract(builder.Configuration["Fabric:Chaincode"] ?? "basic"));

        var app = builder.Build();
        app.MapPut("/assets/{key}", PutAsync);
        app.MapGet("/assets/{key}", GetAsync);
        app.MapGet("/events", EventsAsync);
        return app;
    }

    /// <summary>The client, from configuration; the container disposes it (and so its channels) and the signer (its key) with the application.</summary>
    private static FabricClient Connect(IConfiguration settings, ClientIdentity identity, ISigner signer, ILoggerFactory loggers) => FabricClient.Create(new FabricClientOptions
        {
            Identity = identity,
            Signer = signer,
            Peers = Endpoints(settings.GetSection("Peers")),
            Orderers = Endpoints(settings.GetSection("Orderers")),
            Path = Enum.Parse<SubmitPath>(settings["Path"] ?? nameof(SubmitPath.Direct), ignoreCase: true),
            LoggerFactory = loggers,
        });

    private static List<FabricEndpoint> Endpoints(IConfigurationSection section) =>
        section.GetChildren().Select(node => new FabricEndpoint
        {
            Address = node["Address"] ?? throw new InvalidOperationException($"{node.Path}:Address is not set"),
            TlsRootCertificateFile = node["TlsRootCertFile"],
            ServerNameOverride = node["ServerNameOverride"],
        }).ToList();

    private static async Task<IResult> PutAsync(string key, HttpRequest request, Contract contract, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var value = await reader.ReadToEndAsync(cancellationToken);
        try
        {
            // The stage API, to report the transaction id and block; contract.SubmitAsync("Put", [key, value]) does the same in one call.
            var transaction = await contract.NewProposal("Put", new ProposalOptions { Arguments = [Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(value)] })
                .EndorseAsync(cancellationToken);
            using var commit = await transaction.SubmitAsync(cancellationToken);
            var status = await commit.GetStatusAsync(cancellationToken);
            return Results.Text(JsonSerializer.Serialize(new PutResult(key, value, status.TxId, status.BlockNumber), AssetJson.Default.PutResult), "application/json");
        }
        catch (EndorseException e)
        {
            return Results.Problem(e.Message, statusCode: StatusCodes.Status400BadRequest);
        }
        catch (FabricInvokeException e)
        {
            // Submit or commit failures: say whether it may still commit, so a caller knows not to just retry.
            return Results.Problem($"{e.Message} (may still commit: {e.MayHaveCommitted})", statusCode: StatusCodes.Status502BadGateway);
        }
    }

    private static async Task<IResult> GetAsync(string key, Contract contract, CancellationToken cancellationToken)
    {
        try
        {
            return Results.Text(Encoding.UTF8.GetString(await contract.EvaluateAsync("Get", [key], cancellationToken)));
        }
        catch (EndorseException e) when (e.Kind == FailureKind.Endorsement)
        {
            // The chaincode refused (the basic chaincode fails Get of a missing key); an unreachable peer is not "not found".
            return Results.Problem(e.Message, statusCode: StatusCodes.Status404NotFound);
        }
    }

    private static async Task EventsAsync(HttpContext context, FabricNetwork network, Contract contract, ulong? startBlock)
    {
        var cancellationToken = context.RequestAborted;
        EventCheckpoint? after = null;
        if (context.Request.Headers["Last-Event-ID"] is { Count: > 0 } lastEventId && !TryParseCheckpoint(lastEventId.ToString(), out after))
        {
            await Results.Problem($"Last-Event-ID '{lastEventId}' is not an event id of this stream (block:txIndex:txId)", statusCode: StatusCodes.Status400BadRequest)
                .ExecuteAsync(context);
            return;
        }

        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        await context.Response.Body.FlushAsync(cancellationToken);
        try
        {
            await foreach (var e in network.ChaincodeEventsAsync(contract.ChaincodeName, startBlock, after, cancellationToken))
            {
                var data = JsonSerializer.Serialize(new AssetEvent(e.BlockNumber, e.TxId, e.EventName, Encoding.UTF8.GetString(e.Payload)), AssetJson.Default.AssetEvent);
                await context.Response.WriteAsync($"id: {FormatCheckpoint(e.Checkpoint)}\nevent: {e.EventName}\ndata: {data}\n\n", cancellationToken);
                await context.Response.Body.FlushAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away.
        }
    }

    /// <summary>An event's checkpoint as its server-sent event id: <c>block:txIndex:txId</c> (the index is empty through a Gateway, which does not give it).</summary>
    private static string FormatCheckpoint(EventCheckpoint checkpoint) =>
        string.Create(CultureInfo.InvariantCulture, $"{checkpoint.Block}:{checkpoint.TxIndex}:{checkpoint.TxId}");

    private static bool TryParseCheckpoint(string id, [NotNullWhen(true)] out EventCheckpoint? checkpoint)
    {
        checkpoint = null;
        var parts = id.Split(':');
        if (parts.Length != 3 || !ulong.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var block))
        {
            return false;
        }

        int? index = null;
        if (parts[1].Length > 0)
        {
            if (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var i))
            {
                return false;
            }

            index = i;
        }

        checkpoint = new EventCheckpoint(block, index, parts[2].Length > 0 ? parts[2] : null);
        return true;
    }
}

/// <summary>A committed Put.</summary>
/// <param name="Key">The key.</param>
/// <param name="Value">The value.</param>
/// <param name="TxId">The transaction id.</param>
/// <param name="Block">The block it committed in.</param>
public sealed record PutResult(string Key, string Value, string TxId, ulong Block);

/// <summary>A chaincode event as the event stream sends it.</summary>
/// <param name="Block">The block.</param>
/// <param name="TxId">The transaction.</param>
/// <param name="Name">The event name.</param>
/// <param name="Payload">The payload, as UTF-8.</param>
public sealed record AssetEvent(ulong Block, string TxId, string Name, string Payload);

/// <summary>Source-generated JSON (no reflection).</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(PutResult))]
[System.Text.Json.Serialization.JsonSerializable(typeof(AssetEvent))]
internal sealed partial class AssetJson : System.Text.Json.Serialization.JsonSerializerContext;
