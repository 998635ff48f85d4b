using System.CommandLine;
using FabricInvoke.Core.Configuration;
using FabricInvoke.Core.Delivery;
using FabricInvoke.Core.Errors;
using Microsoft.Extensions.Configuration;

namespace FabricInvoke.Cli.Settings;

/// <summary>
/// A Go duration (<c>3s</c>, <c>500ms</c>, <c>1m30s</c>) between <see cref="Min"/> and <see cref="Max"/>: the flag,
/// else the variable, else the default, which is parsed from the text help shows.
/// </summary>
internal sealed record DurationSetting(IReadOnlyList<string> Flags, string? Env, string? Default, string Meaning, TimeSpan Min, TimeSpan Max)
    : Setting(Flags, Env, Default, Meaning)
{
    /// <summary>The default as a value; null when there is none.</summary>
    public TimeSpan? DefaultValue { get; } = Default is null ? null : GoDuration.TryParse(Default, out var value) ? value : throw new ArgumentException($"default '{Default}' is not a Go duration", nameof(Default));

    /// <summary>The option, checking the value and its bounds at parse time.</summary>
    public Option<TimeSpan?> Option() => DurationOption(Min, Max);

    /// <summary>The flag's value, else the variable's (when the row has one), else the default.</summary>
    /// <exception cref="FabricInvokeException">Usage: the variable is not a Go duration within the bounds, naming it.</exception>
    public TimeSpan? Value(ParseResult parse, Option<TimeSpan?> option, IConfiguration environment) =>
        parse.GetValue(option) ?? FromEnvironment(environment) ?? DefaultValue;

    /// <summary>The variable's value, or null when the row has none or it is not set.</summary>
    /// <exception cref="FabricInvokeException">Usage: not a Go duration within the bounds, naming the variable.</exception>
    public TimeSpan? FromEnvironment(IConfiguration environment)
    {
        if (Env is null || SettingValues.Env(environment, this) is not { } text)
        {
            return null;
        }

        return TryDuration(text, Env, Min, Max, out var value, out var error) ? value : throw Failures.Usage(error);
    }
}

/// <summary>A whole number flag; its default is shown in help by the option itself (as System.CommandLine words it).</summary>
internal sealed record IntSetting(IReadOnlyList<string> Flags, string? Env, string? Default, string Meaning)
    : Setting(Flags, Env, Default, Meaning)
{
    /// <summary>The default as a value, or null.</summary>
    public int? DefaultValue { get; } = Default is null ? null : int.Parse(Default, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The option: with a default, an <c>Option&lt;int&gt;</c> that shows it; without one, an <c>Option&lt;int?&gt;</c>.</summary>
    public Option<int> Option() => new(Flags[0], Flags.Skip(1).ToArray())
    {
        Description = Meaning,
        DefaultValueFactory = _ => DefaultValue ?? 0,
    };

    /// <summary>The option of a row without a default: absent is null.</summary>
    public Option<int?> OptionalOption() => new(Flags[0], Flags.Skip(1).ToArray()) { Description = HelpText };
}

/// <summary>A flag that takes one of a few words, each standing for a value of <typeparamref name="TEnum"/>.</summary>
internal sealed record ChoiceSetting<TEnum>(IReadOnlyList<string> Flags, string? Env, string Default, string Meaning, IReadOnlyList<(string Word, TEnum Value)> Choices)
    : Setting(Flags, Env, Default, Meaning)
    where TEnum : struct, Enum
{
    /// <summary>The default as a value.</summary>
    public TEnum DefaultValue => Parse(Default!) ?? throw new InvalidOperationException($"default '{Default}' of {Flags[0]} is not one of its choices");

    /// <summary>The option, which accepts only the words (and shows them in help).</summary>
    public Option<string> Option()
    {
        var option = StringOption();
        option.AcceptOnlyFromAmong(Choices.Select(c => c.Word).ToArray());
        return option;
    }

    /// <summary>The value given, else the default.</summary>
    public TEnum Value(ParseResult parse, Option<string> option) => Parse(parse.GetValue(option)) ?? DefaultValue;

    /// <summary>The value a word stands for, or null when it stands for none.</summary>
    public TEnum? Parse(string? word)
    {
        foreach (var (w, value) in Choices)
        {
            if (string.Equals(w, word, StringComparison.Ordinal))
            {
                return value;
            }
        }

        return null;
    }
}

/// <summary><c>--waitFor</c>: <c>all</c>, <c>any</c> or <c>org:MSP,…</c>, checked at parse time.</summary>
internal sealed record CommitPolicySetting(IReadOnlyList<string> Flags, string? Env, string Default, string Meaning)
    : Setting(Flags, Env, Default, Meaning)
{
    /// <summary>The default as a value.</summary>
    public CommitPolicy DefaultValue => CommitPolicy.TryParse(Default!, out var policy) ? policy : throw new InvalidOperationException($"default '{Default}' of {Flags[0]} is not a commit policy");

    public Option<CommitPolicy?> Option()
    {
        var option = new Option<CommitPolicy?>(Flags[0]) { Description = HelpText, HelpName = "all|any|org:MSP,…" };
        option.CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
            if (CommitPolicy.TryParse(text, out var policy))
            {
                return policy;
            }

            result.AddError($"invalid value '{text}' for {Flags[0]}: use all, any or org:Org1MSP,Org2MSP");
            return null;
        };
        return option;
    }

    /// <summary>The value given, else the default.</summary>
    public CommitPolicy Value(ParseResult parse, Option<CommitPolicy?> option) => parse.GetValue(option) ?? DefaultValue;
}
