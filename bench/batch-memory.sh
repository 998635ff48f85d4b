#!/usr/bin/env bash
# Flat memory of `fabinvoke chaincode invoke --batch` over 100,000 lines: runs N1 (default 10,000) and N2 (default
# 100,000) Put lines against `fabinvoke devnet up` on 127.0.0.1 (2 orgs, TLS) with --journal, samples fabinvoke's RSS
# (/proc/PID/status VmRSS) every 0.5 s, and prints the peak RSS of each run, their throughput, and the machine.
# The peak at N2 should be about the peak at N1: input is read lazily and results are written as they come.
#
# Usage: bench/batch-memory.sh [N1] [N2]
# Knobs: FABINVOKE=path/to/fabinvoke (default: the Release build, built if missing), CONCURRENCY=32,
#        BATCH_SIZE=100 and BATCH_TIMEOUT=100ms (the devnet orderer's), KEEP=dir (keep inputs, results, journals).
set -euo pipefail
n1=${1:-10000}
n2=${2:-100000}
root=$(cd "$(dirname "$0")/.." && pwd)
fab=${FABINVOKE:-$root/src/FabricInvoke.Cli/bin/Release/net10.0/fabinvoke}
if [ ! -x "$fab" ]; then
  dotnet build "$root/src/FabricInvoke.Cli" -c Release >/dev/null
fi
work=${KEEP:-$(mktemp -d)}
mkdir -p "$work"
net=$work/net
"$fab" devnet up --dir "$net" --batch-size "${BATCH_SIZE:-100}" --batch-timeout "${BATCH_TIMEOUT:-100ms}" >"$work/up.log" 2>&1 &
up_pid=$!
cleanup() { kill -TERM "$up_pid" 2>/dev/null || true; wait "$up_pid" 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$work"; }
trap cleanup EXIT
for _ in $(seq 600); do grep -q "Press Ctrl-C" "$work/up.log" && break; kill -0 "$up_pid" 2>/dev/null || break; sleep 0.1; done
grep -q "Press Ctrl-C" "$work/up.log" || { echo "devnet did not start" >&2; cat "$work/up.log" >&2; exit 1; }

run() {
  local n=$1 tag=$2 input=$work/in-$1.jsonl
  python3 -c "import sys
n=int(sys.argv[1]); t=sys.argv[2]
with open(sys.argv[3],'w') as f:
    for i in range(1,n+1): f.write('{\"Args\":[\"Put\",\"%s-%d\",\"value-%d\"]}\n' % (t,i,i))" "$n" "$tag" "$input"
  local start end
  start=$(date +%s.%N)
  FABINVOKE_NO_PROGRESS=1 "$fab" chaincode invoke --devnet "$net" -C mychannel -n basic --batch "$input" \
    --concurrency "${CONCURRENCY:-32}" --journal "$work/journal-$n" --output-file "$work/out-$n.jsonl" 2>"$work/err-$n.log" &
  local pid=$! peak=0 rss
  while kill -0 "$pid" 2>/dev/null; do
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    [ "${rss:-0}" -gt "$peak" ] && peak=$rss
    sleep 0.5
  done
  wait "$pid" && rc=0 || rc=$?
  end=$(date +%s.%N)
  local valid
  valid=$(grep -c '"status":"VALID"' "$work/out-$n.jsonl" || true)
  printf '%8d lines: exit %d, %d VALID, peak RSS %d MiB, %.1f s (%s)\n' "$n" "$rc" "$valid" $((peak / 1024)) "$(echo "$end - $start" | bc)" "$(tail -1 "$work/err-$n.log")"
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), $(uname -sr), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "command: $fab chaincode invoke --devnet DIR -C mychannel -n basic --batch IN --concurrency ${CONCURRENCY:-32} --journal J --output-file OUT"
run "$n1" "m$n1-$$"
run "$n2" "m$n2-$$"
