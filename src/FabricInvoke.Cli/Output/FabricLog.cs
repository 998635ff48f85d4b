using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using FabricInvoke.Core.Errors;

namespace FabricInvoke.Cli.Output;

/// <summary>Log levels in Fabric's order.</summary>
internal enum LogLevel
{
    Debug,
    Info,
    Warning,
    Error,
}

/// <summary>
/// Writes log lines shaped like the Go peer CLI's (v2 format), so scripts that grep its output keep working:
/// <c>2026-11-23 19:47:38.852 UTC 0001 INFO [chaincodeCmd] ClientWait -> message</c>. Colours the level (as the
/// peer CLI does) only when told to: stderr is a terminal and NO_COLOR is not set. On a terminal it can also keep one
/// self-rewriting status line below the log lines (<see cref="ShowStatus"/>), which every log line steps around.
/// Messages are interpolated strings that are only formatted when their level is enabled.
/// </summary>
internal sealed class FabricLog
{
    private readonly TextWriter _writer;
    private readonly LogLevel _level;
    private readonly TimeProvider _time;
    /// <summary>Carriage return, then erase to the end of the line: the status line is gone and the cursor at its start.</summary>
    private const string EraseLine = "\r\u001b[K";

    private readonly Lock _gate = new();
    private readonly bool _colour;
    private int _sequence;
    private string? _status;

    /// <param name="colour">Colour the level tag with ANSI codes (only for a terminal, never with NO_COLOR).</param>
    public FabricLog(TextWriter writer, LogLevel level, TimeProvider? time = null, bool colour = false)
    {
        _writer = writer;
        _level = level;
        _time = time ?? TimeProvider.System;
        _colour = colour;
    }

    /// <summary>Shows (or replaces) the status line: written without a newline, rewritten in place. Only for a terminal.</summary>
    public void ShowStatus(string text)
    {
        lock (_gate)
        {
            _status = text;
            _writer.Write(EraseLine + text);
            _writer.Flush();
        }
    }

    /// <summary>Erases the status line, if one is shown, so that what follows starts on a clean line.</summary>
    public void ClearStatus()
    {
        lock (_gate)
        {
            if (_status is null)
            {
                return;
            }

            _status = null;
            _writer.Write(EraseLine);
            _writer.Flush();
        }
    }

    public bool IsEnabled(LogLevel level) => level >= _level;

    public void Debug(string function, [InterpolatedStringHandlerArgument("")] DebugMessage message)
    {
        if (message.Enabled)
        {
            Write(LogLevel.Debug, function, message.Text);
        }
    }

    public void Info(string function, string message) => Write(LogLevel.Info, function, message);

    public void Warning(string function, string message) => Write(LogLevel.Warning, function, message);

    private void Write(LogLevel level, string function, string message)
    {
        if (!IsEnabled(level))
        {
            return;
        }

        message = ResultWriter.CliWords(message);

        lock (_gate)
        {
            _sequence++;
            var now = _time.GetUtcNow().UtcDateTime;
            var tag = level switch
            {
                LogLevel.Debug => "DEBU",
                LogLevel.Info => "INFO",
                LogLevel.Warning => "WARN",
                _ => "ERRO",
            };
            if (_colour)
            {
                // The peer CLI's colours: debug blue, info cyan, warning yellow, error red.
                var code = level switch { LogLevel.Debug => "34", LogLevel.Info => "36", LogLevel.Warning => "33", _ => "31" };
                tag = $"\u001b[{code}m{tag}\u001b[0m";
            }

            if (_status is not null)
            {
                _writer.Write(EraseLine);
            }

            _writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{now:yyyy-MM-dd HH:mm:ss.fff} UTC {_sequence:x4} {tag} [chaincodeCmd] {function} -> {message}"));
            if (_status is not null)
            {
                _writer.Write(_status);
                _writer.Flush();
            }
        }
    }

    /// <summary>
    /// Reads FABRIC_LOGGING_SPEC: a default level and optional <c>module=level</c> pairs separated by ':'
    /// (e.g. <c>info</c>, <c>warning:chaincodeCmd=debug</c>). The chaincodeCmd module's level wins.
    /// </summary>
    /// <exception cref="FabricInvokeException">Usage: the spec names an unknown level.</exception>
    public static LogLevel ParseSpec(string? spec)
    {
        if (string.IsNullOrWhiteSpace(spec))
        {
            return LogLevel.Info;
        }

        LogLevel? fallback = null;
        LogLevel? module = null;
        foreach (var part in spec.Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                fallback = Level(part, spec);
                continue;
            }

            var level = Level(part[(eq + 1)..], spec);
            var modules = part[..eq].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (modules.Any(m => m is "chaincodeCmd" or "chaincode" || "chaincodeCmd".StartsWith(m.TrimEnd('.'), StringComparison.Ordinal)))
            {
                module = level;
            }
        }

        return module ?? fallback ?? LogLevel.Info;
    }

    private static LogLevel Level(string text, string spec) => text.ToUpperInvariant() switch
    {
        "DEBUG" => LogLevel.Debug,
        "INFO" => LogLevel.Info,
        "WARN" or "WARNING" => LogLevel.Warning,
        "ERROR" or "FATAL" or "PANIC" or "DPANIC" => LogLevel.Error,
        _ => throw Failures.Usage($"invalid FABRIC_LOGGING_SPEC '{spec}': unknown level '{text}'"),
    };
}

/// <summary>A debug message that is not even formatted when debug logging is off.</summary>
[InterpolatedStringHandler]
internal ref struct DebugMessage
{
    private readonly StringBuilder? _builder;

    public DebugMessage(int literalLength, int formattedCount, FabricLog log, out bool enabled)
    {
        _ = formattedCount;
        enabled = log.IsEnabled(LogLevel.Debug);
        _builder = enabled ? new StringBuilder(literalLength + 32) : null;
    }

    public readonly bool Enabled => _builder is not null;

    public readonly string Text => _builder?.ToString() ?? string.Empty;

    public readonly void AppendLiteral(string value) => _builder?.Append(value);

    public readonly void AppendFormatted<TValue>(TValue value) => _builder?.Append(CultureInfo.InvariantCulture, $"{value}");

    public readonly void AppendFormatted<TValue>(TValue value, string? format)
        where TValue : IFormattable => _builder?.Append(value.ToString(format, CultureInfo.InvariantCulture));
}
