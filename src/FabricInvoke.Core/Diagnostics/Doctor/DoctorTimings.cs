using System.Globalization;

namespace FabricInvoke.Core.Diagnostics.Doctor;

/// <summary>
/// Where a doctor run spent its time, phase by phase (identity, node checks, services, each channel step), for a debug
/// line and the benchmark (bench/doctor.sh): wall-clock spans, recorded as each phase ends; phases that overlap say so
/// by name. Thread-safe. No output of its own: the CLI words it.
/// </summary>
internal sealed class DoctorTimings(TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly List<(string Phase, TimeSpan Elapsed)> _phases = [];

    /// <summary>A clock reading to pass to <see cref="Record"/> when the phase ends.</summary>
    public long Start() => time.GetTimestamp();

    /// <summary>Records that <paramref name="phase"/> took from <paramref name="started"/> until now.</summary>
    public void Record(string phase, long started)
    {
        var elapsed = time.GetElapsedTime(started);
        lock (_gate)
        {
            _phases.Add((phase, elapsed));
        }
    }

    /// <summary>The phases recorded, in the order they ended.</summary>
    public IReadOnlyList<(string Phase, TimeSpan Elapsed)> Phases
    {
        get
        {
            lock (_gate)
            {
                return [.. _phases];
            }
        }
    }

    /// <summary>"identity 12.3ms, nodes 45.6ms, …".</summary>
    public override string ToString() =>
        string.Join(", ", Phases.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Phase} {p.Elapsed.TotalMilliseconds:0.0}ms")));
}
