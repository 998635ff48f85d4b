#!/usr/bin/env bash
# The JIT build's start-up settings, measured: `--version` and a warm 2-peer invoke (bench/e2e.sh with KINDS=jit) for
# the framework-dependent build as it is, with TieredPGO off, with quick JIT for loops off (it is on by default since
# .NET 7, OSR), with tiered compilation off, and published ReadyToRun (what a RID-specific tool package would carry).
# The runtime settings are the DOTNET_* variables that the csproj properties TieredPGO, TieredCompilationQuickJitForLoops
# and TieredCompilation write into fabinvoke.runtimeconfig.json, so one build serves them all.
# Usage: bench/jit-variants.sh [N]   (default 20). Existing builds can be given: FABINVOKE_NATIVE (runs devnet up; else
# published), FABINVOKE_JIT (dotnet build output), FABINVOKE_R2R (ReadyToRun publish output); VARIANTS="default pgo-off
# loops-off tc-off r2r r2r-pgo-off" chooses the rows.
set -euo pipefail
n=${1:-20}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ -z "${FABINVOKE_NATIVE:-}" ]; then
  dotnet publish "$root/src/FabricInvoke.Cli" -c Release -r linux-x64 -p:PublishAot=true -o "$work/native" >/dev/null
  FABINVOKE_NATIVE=$work/native/fabinvoke
fi
variants=${VARIANTS:-default pgo-off loops-off tc-off r2r r2r-pgo-off}
jit=${FABINVOKE_JIT:-}
r2r=${FABINVOKE_R2R:-}
if [ -z "$jit" ] && [[ " $variants " == *" default "* || " $variants " == *"-off "* ]]; then
  dotnet build "$root/src/FabricInvoke.Cli" -c Release -o "$work/jit" >/dev/null
  jit=$work/jit/fabinvoke
fi
if [ -z "$r2r" ] && [[ " $variants " == *" r2r"* ]]; then
  dotnet publish "$root/src/FabricInvoke.Cli" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$work/r2r" >/dev/null
  r2r=$work/r2r/fabinvoke
fi
run() { # run <label> <binary> [VAR=value...]
  local label=$1 fab=$2
  shift 2
  echo "== $label" >&2
  env "$@" KINDS=jit PEERS=2 FABINVOKE_JIT="$fab" FABINVOKE_DEVNET="$FABINVOKE_NATIVE" "$root/bench/e2e.sh" "$n" >"$work/out" 2>&2
  local invoke version client
  invoke=$(grep -m1 '^| whole invoke |' "$work/out" | cut -d'|' -f3)
  client=$(grep -m1 '^| client time' "$work/out" | cut -d'|' -f3)
  version=$(grep -m1 '^| `fabinvoke --version`' "$work/out" | cut -d'|' -f3)
  echo "| $label |$version|$invoke|$client| $(cut -d' ' -f1-3 /proc/loadavg) |"
}
echo "| JIT build (ms, median / p95 of $n) | \`--version\` | warm invoke, 2 peers | client time | load after |"
echo "|---|---|---|---|---|"
for v in $variants; do
  case $v in
    default) run "default (dotnet build -c Release)" "$jit" ;;
    pgo-off) run "TieredPGO off" "$jit" DOTNET_TieredPGO=0 ;;
    loops-off) run "quick JIT for loops off" "$jit" DOTNET_TC_QuickJitForLoops=0 ;;
    tc-off) run "tiered compilation off" "$jit" DOTNET_TieredCompilation=0 ;;
    r2r) run "ReadyToRun (publish -r linux-x64 --self-contained false)" "$r2r" ;;
    r2r-pgo-off) run "ReadyToRun, TieredPGO off" "$r2r" DOTNET_TieredPGO=0 ;;
    *) echo "unknown variant $v" >&2; exit 2 ;;
  esac
done
echo "Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores, Linux $(uname -r)"
