using System.CommandLine;
using FabricInvoke.Cli.Commands;
using FabricInvoke.Core.Batch;
using FabricInvoke.Core.Errors;
using Microsoft.Extensions.Configuration;
using static FabricInvoke.Cli.Settings.SettingValues;
using T = FabricInvoke.Cli.Settings.InvokeSettingsTable;

namespace FabricInvoke.Cli.Settings;

/// <summary>Everything one <c>chaincode invoke --batch</c> needs, validated: the invoke's settings and the batch's own.</summary>
/// <param name="Input">The input file (full path), or <c>-</c> for stdin.</param>
internal sealed record BatchCommandSettings(
    InvokeCommandSettings Invoke,
    string Input,
    BatchOptions Options,
    string? Journal,
    string? OutputFile,
    bool SkipInvalidLines);

/// <summary>Binds the batch flags of <c>chaincode invoke</c> (<see cref="InvokeSettingsTable.Batch"/> and the rows after it).</summary>
internal static class BatchSettingsBinder
{
    /// <summary>The most transactions in flight that --concurrency accepts.</summary>
    public const int MaxConcurrency = 1000;

    /// <summary>True with --batch; refuses what cannot go with it, and the batch flags without it.</summary>
    /// <exception cref="FabricInvokeException">Usage, naming the flags.</exception>
    public static bool Check(InvokeCommandDefinition d, ParseResult parse)
    {
        var batch = parse.GetResult(d.Batch) is { Implicit: false };
        if (!batch)
        {
            foreach (var (option, setting) in new (Option, Setting)[]
            {
                (d.Concurrency, T.Concurrency), (d.Journal, T.Journal), (d.OutputFile, T.OutputFile), (d.SkipInvalidLines, T.SkipInvalidLines), (d.RetryInvalid, T.RetryInvalid),
            })
            {
                if (parse.GetResult(option) is { Implicit: false })
                {
                    throw Failures.Usage($"{setting.Display} needs --batch FILE");
                }
            }

            return false;
        }

        if (string.IsNullOrWhiteSpace(parse.GetValue(d.Batch)))
        {
            throw Failures.Usage("--batch needs a file of JSON Lines, or - for stdin");
        }

        if (parse.GetResult(d.Ctor) is { Implicit: false })
        {
            throw Failures.Usage("-c/--ctor cannot be combined with --batch: each line of the batch says what to invoke");
        }

        if (parse.GetResult(d.Transient) is { Implicit: false })
        {
            throw Failures.Usage("--transient cannot be combined with --batch: give \"transient\" in the lines that need it");
        }

        return true;
    }

    /// <summary>Binds <c>chaincode invoke --batch</c>.</summary>
    /// <exception cref="FabricInvokeException">Usage or Config, with the flag or variable named.</exception>
    public static BatchCommandSettings Bind(InvokeCommandDefinition d, ParseResult parse, IConfiguration env)
    {
        var invoke = ChaincodeSettingsBinder.Bind(d, parse, env);
        var concurrency = parse.GetValue(d.Concurrency) ?? T.Concurrency.DefaultValue!.Value;
        if (concurrency is < 1 or > MaxConcurrency)
        {
            throw Failures.Usage($"invalid value '{concurrency}' for --concurrency: must be between 1 and {MaxConcurrency}");
        }

        var input = parse.GetValue(d.Batch)!;
        var journal = NullIfEmpty(parse.GetValue(d.Journal));
        var outputFile = NullIfEmpty(parse.GetValue(d.OutputFile));
        var o = invoke.Options;
        var options = new BatchOptions
        {
            Concurrency = concurrency,
            WaitForEventTimeout = o.WaitForEventTimeout,
            RequestTimeout = o.RequestTimeout,
            WaitFor = o.WaitFor,
            Gateway = o.Gateway,
            EndorsingOrganizations = o.EndorsingOrganizations,
            RetryInvalid = parse.GetValue(d.RetryInvalid),
        };
        var inputPath = input == "-" ? input : FullPath(input);
        var journalPath = journal is null ? null : FullPath(journal);
        var outputPath = outputFile is null ? null : FullPath(outputFile);
        if (journalPath is not null && (journalPath == inputPath || journalPath == outputPath))
        {
            throw Failures.Usage("--journal must be a file of its own (not the --batch input or the --output-file)");
        }

        if (outputPath is not null && outputPath == inputPath)
        {
            throw Failures.Usage("--output-file must not be the --batch input");
        }

        return new BatchCommandSettings(invoke, inputPath, options, journalPath, outputPath, parse.GetValue(d.SkipInvalidLines));
    }
}
