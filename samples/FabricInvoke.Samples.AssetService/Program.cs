using FabricInvoke.Samples.AssetService;

// Configuration (appsettings.json, environment FABRIC__..., or the command line): see AssetService.
await using var app = AssetService.Create(args);
await app.RunAsync();
