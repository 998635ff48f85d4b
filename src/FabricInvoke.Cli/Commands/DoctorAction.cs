using System.CommandLine;
using FabricInvoke.Cli.Output;
using FabricInvoke.Cli.Settings;
using FabricInvoke.Core.Diagnostics.Doctor;

namespace FabricInvoke.Cli.Commands;

/// <summary>
/// <c>fabinvoke doctor</c>, in the shape of every command: parse exactly as <c>chaincode invoke</c> does (the same
/// definition, binder, variables, profiles, <c>--devnet</c>, <c>--gateway</c>), resolve the same target, run the
/// checks (<see cref="DoctorPipeline"/>; no transaction is sent), write one line per check or one JSON object. The
/// exit code is the invoke's for the first failing check (<see cref="ExitCodes.For"/>), 0 when none fails.
/// </summary>
internal sealed class DoctorAction(InvokeCommandDefinition definition, CliContext context)
    : CommandAction<ChaincodeCall<InvokeCommandSettings>, IReadOnlyList<DoctorCheck>>(context)
{
    private DoctorTimings? _timings;
    private long _checksStarted;

    protected override ResultWriter CreateWriter(ParseResult parse) => new(InvokeSettingsTable.Output.Value(parse, definition.Output), Context);

    protected override ChaincodeCall<InvokeCommandSettings> Parse(ParseResult parse, CommandRun run)
    {
        var settings = ChaincodeSettingsBinder.Bind(definition, parse, Context.Environment);
        return ChaincodeCall.Start(settings, settings.Notices, settings.Options.Invocation, Context);
    }

    protected override Task<CommandTarget<ChaincodeCall<InvokeCommandSettings>>> ResolveAsync(ChaincodeCall<InvokeCommandSettings> call, CommandRun run, CancellationToken cancellationToken) =>
        ChaincodeCall.ResolveAsync(call, call.Settings.DevNetDirectory, (s, devnet) => s.On(devnet, Context.Environment), s => s.Notices, Context, cancellationToken);

    protected override Task<IReadOnlyList<DoctorCheck>> RunAsync(CommandTarget<ChaincodeCall<InvokeCommandSettings>> target, CommandRun run, CancellationToken cancellationToken)
    {
        var s = target.Settings.Settings;
        var o = s.Options;
        var input = new DoctorInput(
            s.Connections, s.MspConfigPath, s.MspId, o.Invocation.ChannelId, o.Invocation.ChaincodeName, o.Invocation.IsInit, o.Gateway,
            o.EndorsingOrganizations, o.RequestTimeout, Context.Time, _timings = new DoctorTimings(Context.Time));
        _checksStarted = Context.Time.GetTimestamp();
        return DoctorPipeline.RunAsync(input, DoctorStages.After, cancellationToken);
    }

    /// <summary>Writes the checks, then (debug) where the time went: start-up until the checks began, each phase, the checks' total.</summary>
    protected override int Write(CommandTarget<ChaincodeCall<InvokeCommandSettings>> target, IReadOnlyList<DoctorCheck> result, CommandRun run)
    {
        var code = DoctorOutput.Write(result, target.Settings.Settings.Output, Context);
        var time = Context.Time;
        var startup = time.GetElapsedTime(Context.StartedAt) - time.GetElapsedTime(_checksStarted);
        target.Settings.Log.Debug("doctor",
            $"phases: start-up {startup.TotalMilliseconds:0.0}ms, {_timings}, checks {time.GetElapsedTime(_checksStarted).TotalMilliseconds:0.0}ms, total {time.GetElapsedTime(Context.StartedAt).TotalMilliseconds:0.0}ms");
        return code;
    }
}
