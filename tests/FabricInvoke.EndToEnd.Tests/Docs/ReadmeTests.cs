using FabricInvoke.Cli.Settings;

namespace FabricInvoke.EndToEnd.Tests.Docs;

/// <summary>The README's flag table is the settings table the binder and the help text use: one source of truth.</summary>
public sealed class ReadmeTests
{
    /// <summary>README.md of the repository.</summary>
    internal static string ReadmeText() => Readme();

    private static string Readme()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var readme = Path.Combine(dir.FullName, "README.md");
            if (File.Exists(readme) && File.Exists(Path.Combine(dir.FullName, "FabricInvoke.sln")))
            {
                return File.ReadAllText(readme);
            }
        }

        throw new FileNotFoundException("README.md of the repository");
    }

    [Fact]
    public void The_invoke_flag_table_lists_every_setting_with_its_variable_and_default()
    {
        var readme = Readme().ReplaceLineEndings("\n");
        var expected = string.Join('\n', InvokeSettingsTable.All.Select(s => s.ReadmeRow()));

        Assert.True(readme.Contains(expected, StringComparison.Ordinal),
            $"README.md's flag table differs from InvokeSettingsTable; it should read:\n{expected}");
    }

    [Fact]
    public void The_query_flag_table_lists_the_query_only_settings()
    {
        var readme = Readme().ReplaceLineEndings("\n");
        var expected = string.Join('\n', InvokeSettingsTable.QueryOnly.Select(s => s.ReadmeRow()));

        Assert.True(readme.Contains(expected, StringComparison.Ordinal),
            $"README.md's query flag table differs from InvokeSettingsTable.QueryOnly; it should read:\n{expected}");
    }

    [Fact]
    public void The_events_flag_table_lists_the_events_settings()
    {
        var readme = Readme().ReplaceLineEndings("\n");
        var expected = string.Join('\n', EventsSettingsTable.All.Select(s => s.ReadmeRow()));

        Assert.True(readme.Contains(expected, StringComparison.Ordinal),
            $"README.md's events flag table differs from EventsSettingsTable; it should read:\n{expected}");
    }

    [Fact]
    public void The_exit_code_table_lists_every_exit_code()
    {
        var readme = Readme().ReplaceLineEndings("\n");
        var codes = typeof(FabricInvoke.Cli.Output.ExitCodes)
            .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Where(f => f.IsLiteral)
            .Select(f => (int)f.GetRawConstantValue()!)
            .ToList();
        Assert.True(codes.Count >= 12, "ExitCodes lists the codes");
        foreach (var code in codes)
        {
            Assert.Contains($"\n| {code} | ", readme, StringComparison.Ordinal);
        }
    }
}
