namespace FabricInvoke.DevNet.Hosting;

/// <summary>Delivers <see cref="DevNetDiagnostic"/>s to the caller's callback, which must never take a node down.</summary>
internal sealed class DiagnosticSink(Action<DevNetDiagnostic>? callback)
{
    public static readonly DiagnosticSink None = new(null);

    public void Report(DevNetDiagnosticKind kind, string node, string message)
    {
        if (callback is null)
        {
            return;
        }

        try
        {
            callback(new DevNetDiagnostic(kind, node, message.ReplaceLineEndings(" ")));
        }
#pragma warning disable CA1031 // A failing observer (say, a closed stderr) must not stop a node that is otherwise fine.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
