using System.CommandLine;
using FabricInvoke.Cli.Output;

namespace FabricInvoke.Cli.Commands;

/// <summary>
/// <c>fabinvoke completion bash|zsh|pwsh</c>: prints a completion script for the shell. Every script asks fabinvoke
/// itself through System.CommandLine's <c>[suggest:POSITION]</c> directive (the dotnet-suggest protocol), so commands,
/// flags, fixed values and file paths complete from the same command tree the parser uses, never from a copied list.
/// </summary>
internal sealed class CompletionCommand
{
    public static readonly IReadOnlyList<string> Shells = ["bash", "zsh", "pwsh"];

    private readonly Argument<string> _shell = new("shell") { Description = "bash, zsh or pwsh" };
    private readonly CliContext _context;

    public CompletionCommand(CliContext context)
    {
        _context = context;
    }

    public Command Create()
    {
        var command = new Command("completion", "Print a shell completion script: commands, flags, values and file paths complete as you type.");
        _shell.CompletionSources.Add(Shells.ToArray());
        command.Add(_shell);
        command.SetAction(RunAsync);
        return command;
    }

    /// <summary>The script for <paramref name="shell"/>, or null for a shell it does not know.</summary>
    public static string? Script(string shell) => shell switch
    {
        "bash" => Bash,
        "zsh" => Zsh,
        "pwsh" => Pwsh,
        _ => null,
    };

    private async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var shell = parse.GetValue(_shell) ?? string.Empty;
        if (Script(shell) is not { } script)
        {
            return new ResultWriter(OutputFormat.Text, _context).UsageFailed($"unknown shell '{shell}' for fabinvoke completion: use {string.Join(", ", Shells)}", hint: null);
        }

        await _context.Output.WriteAsync(script.AsMemory(), cancellationToken).ConfigureAwait(false);
        await _context.Output.FlushAsync(cancellationToken).ConfigureAwait(false);
        _context.Progress.TryFinish();
        return ExitCodes.Success;
    }

    // The program asked is the one the user typed (it need not be on PATH). A lone folder suggestion gets no space after it.
    private const string Bash = """
        # fabinvoke completion for bash. Load it with: source <(fabinvoke completion bash)
        # or install it: fabinvoke completion bash > /etc/bash_completion.d/fabinvoke
        _fabinvoke_complete()
        {
            local suggestions
            suggestions=$("${COMP_WORDS[0]}" "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null) || return 0
            COMPREPLY=()
            [[ -n "$suggestions" ]] && mapfile -t COMPREPLY <<< "$suggestions"
            if [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == */ ]]; then
                compopt -o nospace 2>/dev/null
            fi
            return 0
        }
        complete -F _fabinvoke_complete fabinvoke

        """;

    private const string Zsh = """
        #compdef fabinvoke
        # fabinvoke completion for zsh. Load it (after compinit) with: source <(fabinvoke completion zsh)
        # or save it as _fabinvoke in a folder of $fpath.
        _fabinvoke() {
            local line="${(j: :)words[1,CURRENT]}"
            local -a suggestions folders others
            suggestions=("${(@f)$(${words[1]} "[suggest:${#line}]" "$line" 2>/dev/null)}")
            folders=(${(M)suggestions:#*/})
            others=(${suggestions:#*/})
            others=(${others:#})
            (( ${#folders} )) && compadd -Q -S '' -- "${folders[@]}"
            (( ${#others} )) && compadd -Q -- "${others[@]}"
            return 0
        }
        if (( $+functions[compdef] )); then
            compdef _fabinvoke fabinvoke
        fi

        """;

    private const string Pwsh = """
        # fabinvoke completion for PowerShell. Load it with: fabinvoke completion pwsh | Out-String | Invoke-Expression
        # (add that line to $PROFILE to keep it).
        Register-ArgumentCompleter -Native -CommandName fabinvoke -ScriptBlock {
            param($wordToComplete, $commandAst, $cursorPosition)
            $line = $commandAst.Extent.Text
            $position = $cursorPosition - $commandAst.Extent.StartOffset
            if ($position -gt $line.Length) { $line = $line.PadRight($position) }
            $program = $commandAst.CommandElements[0].Extent.Text
            & $program "[suggest:$position]" $line 2>$null | ForEach-Object {
                [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
            }
        }

        """;
}
