using System.Globalization;

namespace FabricInvoke.RealFabric.Tests.Infrastructure;

/// <summary>
/// Where bench/doctor.sh gets its figures: with <c>FABINVOKE_DOCTOR_TIMES</c> set to a file, each doctor run of the
/// doctor tests appends "network, setup, exit code, wall ms" (tab-separated) to it. Nothing is asserted about the time
/// (no timed tests): the script reports it. Unset, nothing is written.
/// </summary>
public static class DoctorTimes
{
    public const string Variable = "FABINVOKE_DOCTOR_TIMES";
    private static readonly Lock Gate = new();

    public static void Record(RealNetwork network, string setup, CliOutcome doctor)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(doctor);
        if (Environment.GetEnvironmentVariable(Variable) is not { Length: > 0 } file)
        {
            return;
        }

        var line = string.Create(CultureInfo.InvariantCulture, $"{network.Name}\t{setup}\t{doctor.ExitCode}\t{doctor.Elapsed.TotalMilliseconds:0}\n");
        lock (Gate)
        {
            File.AppendAllText(file, line);
        }
    }
}
