using System.CommandLine;
using System.CommandLine.Parsing;
using FabricInvoke.Core.Configuration;

namespace FabricInvoke.Cli.Settings;

/// <summary>
/// One row of a command's settings table: the flag (with its aliases) and/or the environment variable that give it a
/// value, the default, and what it means. Flags win over the variable, the variable over the default. The same row
/// makes the option, writes the help text, and is the README's flag table (a test compares them). A typed row
/// (<see cref="DurationSetting"/>, <see cref="IntSetting"/>, <see cref="ChoiceSetting{TEnum}"/>,
/// <see cref="CommitPolicySetting"/>) also parses the value and holds the default as a value, read from the same text
/// help shows: the rows are the only place a default is written.
/// </summary>
/// <param name="Flags">Flag names, long first (<c>--channelID</c>, <c>-C</c>); empty for a setting read only from the environment.</param>
/// <param name="Env">The environment variable, or null.</param>
/// <param name="Default">The default as a user writes it, for help and README; null when there is none.</param>
/// <param name="Meaning">One line: what it is for.</param>
internal record Setting(IReadOnlyList<string> Flags, string? Env, string? Default, string Meaning)
{
    /// <summary>No value means the command cannot run (checked by the binder, which words the message).</summary>
    public bool Required { get; init; }

    /// <summary>The flag may be given several times.</summary>
    public bool Repeatable { get; init; }

    /// <summary>Placeholder for the value in help (e.g. DIR).</summary>
    public string? HelpName { get; init; }

    /// <summary>The value is a file or folder: shell completion offers paths.</summary>
    public bool IsPath { get; init; }

    /// <summary>"-C/--channelID" as messages name it (short alias first, as Fabric's docs write it).</summary>
    public string Display => Flags.Count == 0 ? Env! : string.Join('/', Flags.OrderBy(f => f.StartsWith("--", StringComparison.Ordinal) ? 1 : 0));

    /// <summary>The help text: the meaning, the variable and the default.</summary>
    public string HelpText
    {
        get
        {
            var text = Meaning;
            if (Env is not null)
            {
                text += $" (env {Env})";
            }

            if (Required)
            {
                text += " [required]";
            }
            else if (Default is not null)
            {
                text += $" [default: {Default}]";
            }

            return text;
        }
    }

    /// <summary>The README row: <c>| flags | environment | default | meaning |</c>.</summary>
    public string ReadmeRow()
    {
        var flags = Flags.Count == 0 ? string.Empty : string.Join(", ", Flags.OrderBy(f => f.StartsWith("--", StringComparison.Ordinal) ? 1 : 0).Select(f => $"`{f}`"));
        if (Repeatable)
        {
            flags += " (repeat)";
        }

        if (HelpName is not null)
        {
            flags = flags.Replace($"`{Flags[0]}`", $"`{Flags[0]} [{HelpName}]`", StringComparison.Ordinal);
        }

        var env = Env is null ? string.Empty : $"`{Env}`";
        var def = Required ? "(required)" : Default is null ? string.Empty : $"`{Default}`";
        return $"| {flags} | {env} | {def} | {Meaning} |";
    }

    public Option<string> StringOption() => Apply(new Option<string>(Flags[0], Flags.Skip(1).ToArray()));

    public Option<string[]> ListOption() => Apply(new Option<string[]>(Flags[0], Flags.Skip(1).ToArray()) { AllowMultipleArgumentsPerToken = false });

    public Option<bool> FlagOption() => Apply(new Option<bool>(Flags[0], Flags.Skip(1).ToArray()));

    /// <summary>A Go duration (<c>3s</c>, <c>500ms</c>, <c>1m30s</c>) between <paramref name="min"/> and <paramref name="max"/>, checked at parse time.</summary>
    public Option<TimeSpan?> DurationOption(TimeSpan min, TimeSpan max)
    {
        var option = Apply(new Option<TimeSpan?>(Flags[0], Flags.Skip(1).ToArray()));
        option.CustomParser = result => ParseDuration(result, min, max);
        return option;
    }

    /// <summary>Parses a duration value as the option does, naming <paramref name="source"/> (a flag or a variable) in the error.</summary>
    public static bool TryDuration(string text, string source, TimeSpan min, TimeSpan max, out TimeSpan value, out string error)
    {
        error = string.Empty;
        if (!GoDuration.TryParse(text, out value) || value <= TimeSpan.Zero)
        {
            error = $"invalid duration '{text}' for {source}: use a Go duration such as 3s, 500ms or 1m30s";
            return false;
        }

        if (value < min || value > max)
        {
            error = $"invalid duration '{text}' for {source}: must be between {Core.Errors.Failures.FormatDuration(min)} and {Core.Errors.Failures.FormatDuration(max)}";
            return false;
        }

        return true;
    }

    private TimeSpan? ParseDuration(ArgumentResult result, TimeSpan min, TimeSpan max)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
        if (TryDuration(text, Flags[0], min, max, out var value, out var error))
        {
            return value;
        }

        result.AddError(error);
        return null;
    }

    private T Apply<T>(T option)
        where T : Option
    {
        option.Description = HelpText;
        if (HelpName is not null)
        {
            option.HelpName = HelpName;
        }

        if (IsPath)
        {
            PathCompletion.AddTo(option);
        }

        return option;
    }
}
