#!/usr/bin/env bash
# `fabinvoke doctor`'s wall time on real Fabric networks, for the healthy setup and every broken setup of the real-tier
# doctor tests (tests/FabricInvoke.RealFabric.Tests: DoctorTests, DoctorChannelTests, DoctorMutualTlsTests on Fabric
# 2.4.9, 3.0.0 BFT and 2.4.9 with mutual TLS). It runs those tests N times with FABINVOKE_DOCTOR_TIMES set: each doctor
# run appends "network, setup, exit code, wall ms" to that file (Infrastructure/DoctorTimes.cs; the tests assert no
# time). Wall = from starting the process to its exit, as the tests start it: `dotnet fabinvoke.dll …`, the
# framework-dependent JIT build (runtime start-up included), or the executable EXE names. Then it prints a Markdown
# table: per setup the median, min and max over the runs, and how many runs took 2 s or more; with the machine (nproc,
# load average per run) and commit. The networks' test collections run one after another (the runner's default runs
# them side by side, and then each doctor competes with the other collections' processes); PARALLEL=1 runs them as CI does.
#
# Usage: bench/doctor.sh [N]     (N runs of the tests, default 3)
# Knobs (environment):
#   FABINVOKE_REALFABRIC_BASE_PORT=24000   the real tier's first port (it uses base+0 … base+599): set your own range
#   FILTER=…        dotnet test filter (default: the doctor classes of the real tier)
#   NO_BUILD=1      use the Release build as it is (else `dotnet build` of the real-tier test project first)
#   EXE=path        run this fabinvoke executable (a native AOT build) instead of `dotnet fabinvoke.dll` — doctor and
#                   the invokes it is compared with (FABINVOKE_REALFABRIC_EXE)
#   PARALLEL=1      the test collections side by side (xunit's default), not one after another
#   KEEP=file       keep the raw times there (one line per doctor run), appended to: runs of several invocations (say
#                   before and after a change, interleaved) gather in one table; N=0 prints the table of the file only
#   COMPARE=file    another KEEP file (say, of the commit before): its run count and median per setup in a last column
# Needs: the .NET 10 SDK, python3, and what the real tier needs (shared/fabric beside the repository; see its README).
# The phases of one run: FABRIC_LOGGING_SPEC=debug fabinvoke doctor … prints a debug line "doctor -> phases: start-up …,
# identity …, nodes (TCP, TLS) …, services …, definition query …, checks …, total …".
set -euo pipefail
n=${1:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
times=${KEEP:-$work/times.tsv}
[ -n "${KEEP:-}" ] || : >"$times" # a kept file gathers runs (N=0 only prints its table)
filter=${FILTER:-FullyQualifiedName~FabricInvoke.RealFabric.Tests.Doctor}
command -v python3 >/dev/null || { echo "bench/doctor.sh needs python3" >&2; exit 2; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
project=$root/tests/FabricInvoke.RealFabric.Tests
if [ -z "${NO_BUILD:-}" ] && [ "$n" -gt 0 ]; then
  echo "building the real-tier tests (Release)..."
  dotnet build "$project" -c Release >"$work/build.log" 2>&1 || { tail -30 "$work/build.log" >&2; exit 1; }
fi
loads=()
failed=0
for i in $(seq 1 "$n"); do
  before=$(load)
  echo "run $i/$n: load average $before"
  if ! FABINVOKE_REALFABRIC_EXE=${EXE:-} FABINVOKE_DOCTOR_TIMES=$times dotnet test "$project" -c Release --no-build --filter "$filter" \
      -- xUnit.ParallelizeTestCollections=$([ -n "${PARALLEL:-}" ] && echo true || echo false) >"$work/test-$i.log" 2>&1; then
    failed=$((failed + 1))
    echo "  some tests failed in run $i (their doctor times are still counted):" >&2
    grep -E "^\s+Failed |Passed!|Failed!" "$work/test-$i.log" | head -20 >&2 || true
  fi
  loads+=("$before -> $(load)")
done
echo
echo "Machine: $(nproc) cores, $(uname -sr); commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$root" diff --quiet 2>/dev/null || echo ' (with local changes)')"
echo "Load average (1, 5, 15 min) at the start and end of each run: $(IFS=';'; echo "${loads[*]}")"
echo "Command: FABINVOKE_REALFABRIC_BASE_PORT=${FABINVOKE_REALFABRIC_BASE_PORT:-24000}${EXE:+ EXE=$EXE}${PARALLEL:+ PARALLEL=1} bench/doctor.sh $n${FILTER:+ (FILTER=$FILTER)}; runs with failed tests: $failed"
echo
python3 - "$times" "${COMPARE:-}" <<'EOF'
import statistics, sys
def read(path):
    rows = {}
    for line in open(path):
        parts = line.rstrip("\n").split("\t")
        if len(parts) == 4:
            network, setup, code, ms = parts
            rows.setdefault((network, setup), []).append((int(code), int(ms)))
    return rows
rows = read(sys.argv[1])
if not rows:
    print("no doctor run was recorded (did the tests run? see FILTER)")
    sys.exit(1)
other = read(sys.argv[2]) if sys.argv[2] else None
print("| network | setup | exit | runs | median ms | min ms | max ms | runs ≥ 2 s |" + (" COMPARE: runs, median ms |" if other is not None else ""))
print("|---|---|---|---|---|---|---|---|" + ("---|" if other is not None else ""))
total = slow = 0
for (network, setup), runs in sorted(rows.items()):
    codes = sorted({c for c, _ in runs})
    ms = [m for _, m in runs]
    over = sum(1 for m in ms if m >= 2000)
    total += len(ms); slow += over
    row = f"| {network} | {setup.replace('_', ' ')} | {'/'.join(map(str, codes))} | {len(ms)} | {statistics.median(ms):.0f} | {min(ms)} | {max(ms)} | {over} |"
    if other is not None:
        theirs = [m for _, m in other.get((network, setup), [])]
        row += f" {len(theirs)}, {statistics.median(theirs):.0f} |" if theirs else " 0, - |"
    print(row)
print(f"\n{len(rows)} setups, {total} doctor runs, {slow} of them took 2 s or more.")
if other is not None:
    mine = [m for runs in rows.values() for _, m in runs]
    theirs = [m for runs in other.values() for _, m in runs]
    print(f"All runs: median {statistics.median(mine):.0f} ms here; COMPARE: median {statistics.median(theirs):.0f} ms over {len(theirs)} runs, {sum(1 for m in theirs if m >= 2000)} of them 2 s or more.")
EOF
