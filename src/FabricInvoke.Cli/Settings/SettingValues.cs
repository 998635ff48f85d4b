using FabricInvoke.Core.Configuration;
using FabricInvoke.Core.Errors;
using Microsoft.Extensions.Configuration;

namespace FabricInvoke.Cli.Settings;

/// <summary>
/// Reading one setting's value the way every command reads it: a variable trimmed and empty taken as unset, booleans
/// as Go's strconv.ParseBool takes them, paths made absolute, a missing required value worded with the row's names.
/// </summary>
internal static class SettingValues
{
    /// <exception cref="FabricInvokeException">Usage: no value, naming the flag.</exception>
    internal static string Required(string? value, Setting setting, string? why = null) =>
        string.IsNullOrWhiteSpace(value)
            ? throw Failures.Usage(why is null ? $"{setting.Display} must be given" : $"{setting.Display} ({why}) must be given")
            : value;

    internal static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    /// <summary>The row's variable, trimmed; null when unset or blank.</summary>
    internal static string? Env(IConfiguration env, Setting setting) =>
        string.IsNullOrWhiteSpace(env[setting.Env!]) ? null : env[setting.Env!]!.Trim();

    /// <exception cref="FabricInvokeException">Config: the variable is not set, saying what it is for.</exception>
    internal static string RequiredEnv(IConfiguration env, Setting setting, string what) =>
        Env(env, setting) ?? throw Failures.ConfigMessage($"{setting.Env} is not set ({what})");

    /// <exception cref="FabricInvokeException">Usage: not a boolean, naming the variable.</exception>
    internal static bool Bool(IConfiguration env, Setting setting)
    {
        var value = Env(env, setting);
        return value switch
        {
            null => false,
            _ when bool.TryParse(value, out var b) => b,
            "1" or "t" or "T" => true,
            "0" or "f" or "F" => false,
            _ => throw Failures.Usage($"{setting.Env}='{value}' is not a boolean (true or false)"),
        };
    }

    /// <exception cref="FabricInvokeException">Usage: not a usable path (a NUL byte, say).</exception>
    internal static string FullPath(string path)
    {
        try
        {
            return Path.GetFullPath(path);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw Failures.Usage($"'{path}' is not a usable path ({e.Message})");
        }
    }

    /// <summary>A host name override as given, or null; one that cannot be a host name is a usage error naming its source.</summary>
    /// <exception cref="FabricInvokeException">Usage: not a DNS name or IP address.</exception>
    internal static string? HostOverride(string? value, string source) =>
        value is null || Endpoint.IsHostName(value)
            ? value
            : throw Failures.Usage($"invalid host name '{Failures.Shorten(value)}' for {source}: expected a DNS name or an IP address, as in the node's TLS certificate");
}
