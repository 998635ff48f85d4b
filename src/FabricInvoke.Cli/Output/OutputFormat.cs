namespace FabricInvoke.Cli.Output;

/// <summary>How a command reports its result (--output).</summary>
internal enum OutputFormat
{
    /// <summary>The peer CLI's log lines on stderr; a query's payload on stdout.</summary>
    Text,

    /// <summary>Additionally one JSON object on stdout, for success and failure alike.</summary>
    Json,
}
