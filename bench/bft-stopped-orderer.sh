#!/usr/bin/env bash
# BFT benchmark on a real Fabric 3.0.0 network (../shared/fabric/network.sh, 4 SmartBFT orderers): an invoke with no
# -o (orderer discovery) with every orderer up, then with the first orderer stopped (once the others have elected a
# new leader), per build. The claim it checks (issue 21, finding 6): with the first BFT orderer stopped, an invoke with
# no -o takes no longer than with all orderers up. Not a test: figures go to docs/performance.md.
#
# Usage: bench/bft-stopped-orderer.sh DIR [N]
#   DIR  a network folder: created as Fabric 3.0.0 if missing (FABRIC_NET_BASE_PORT, default 34000), else reused
#   N    invokes per build and state (default 10; one warm-up each, not counted)
# Knobs: BUILDS="new=path/to/fabinvoke old=path/to/other/fabinvoke" (default: new = this tree's Release build)
#        FABRIC_HOME=path/to/shared/fabric (default: ../shared/fabric from the repository's parent folders)
# Reports, per build and state, the median and max of: the whole invoke (exec to exit), broadcast, commit wait (both
# from --output json timings), and how many times the invoke logged a connect retry (FABRIC_LOGGING_SPEC=debug).
# The network is left running with every node up again (network.sh up DIR); stop it with network.sh down DIR.
set -euo pipefail
dir=${1:?usage: bench/bft-stopped-orderer.sh DIR [N]}
n=${2:-10}
root=$(cd "$(dirname "$0")/.." && pwd)
home=${FABRIC_HOME:-}
if [ -z "$home" ]; then
  d=$root; while [ "$d" != / ]; do [ -x "$d/shared/fabric/network.sh" ] && home=$d/shared/fabric && break; d=$(dirname "$d"); done
fi
[ -n "$home" ] || { echo "bft-stopped-orderer.sh: no shared/fabric/network.sh found; set FABRIC_HOME" >&2; exit 2; }
builds=${BUILDS:-new=$root/src/FabricInvoke.Cli/bin/Release/net10.0/fabinvoke}
FABRIC_NET_VERSION=3.0.0 FABRIC_NET_BASE_PORT=${FABRIC_NET_BASE_PORT:-34000} "$home/network.sh" up "$dir" >/dev/null
# shellcheck disable=SC1091
. "$dir/network.env"
[ "$FABRIC_NET_VERSION" = 3.0.0 ] || { echo "bft-stopped-orderer.sh: $dir is not a Fabric 3.0.0 network" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

invoke() { # invoke BIN OUT: one invoke with no -o; appends "wall_ms broadcast_ms commit_ms retries" to OUT
  local bin=$1 out=$2 s e
  s=$(date +%s%N)
  FABRIC_LOGGING_SPEC=debug "$bin" chaincode invoke -C mychannel -n basic \
    --peerAddresses "$ORG1_PEER_ADDRESS" --tlsRootCertFiles "$ORG1_PEER_CA" --peerAddresses "$ORG2_PEER_ADDRESS" --tlsRootCertFiles "$ORG2_PEER_CA" \
    --tls --cafile "$ORDERER_CA" -c '{"Args":["Put","bench","v"]}' --waitForEvent --waitForEventTimeout 60s --output json >"$work/json" 2>"$work/err" \
    || { echo "invoke failed:" >&2; cat "$work/err" >&2; exit 1; }
  e=$(date +%s%N)
  python3 - "$work/json" "$(( (e - s) / 1000000 ))" "$(grep -c retrying "$work/err" || true)" >>"$out" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))["timings"]
print(sys.argv[2], t["broadcastMs"], t["commitMs"], sys.argv[3])
PY
}

run_all() { # run_all STATE
  for b in $builds; do
    local name=${b%%=*} bin=${b#*=}
    invoke "$bin" /dev/null
    for _ in $(seq 1 "$n"); do invoke "$bin" "$work/$1.$name"; done
  done
}

run_all up
pid=$(awk '$1=="orderer1"{print $2}' "$dir/pids")
kill "$pid"; while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
# The others elect a new leader after LeaderHeartbeatTimeout (10 s in this network's configuration): wait for a view
# change in orderer2's log, then for one commit through the Go CLI.
for _ in $(seq 1 120); do grep -q "Starting view with number [1-9]" "$dir/logs/orderer2.log" && break; sleep 1; done
peer chaincode invoke -o "$(echo "$ORDERER_ADDRESSES" | cut -d, -f2)" --tls --cafile "$ORDERER_CA" -C mychannel -n basic \
  --peerAddresses "$ORG1_PEER_ADDRESS" --tlsRootCertFiles "$ORG1_PEER_CA" --peerAddresses "$ORG2_PEER_ADDRESS" --tlsRootCertFiles "$ORG2_PEER_CA" \
  -c '{"Args":["Put","bench","leader"]}' --waitForEvent >/dev/null 2>&1 || true
run_all stopped
"$home/network.sh" up "$dir" >/dev/null

echo "Fabric 3.0.0, 4 BFT orderers, invoke with no -o on 2 peers; $n runs each; medians (max) in ms"
echo
echo "| build | orderers | whole invoke | broadcast | commit wait | connect retries logged |"
echo "|---|---|---|---|---|---|"
for b in $builds; do
  name=${b%%=*}
  for state in up stopped; do
    python3 - "$work/$state.$name" "$name" "$state" <<'PY'
import statistics, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
def col(i): v = [r[i] for r in rows]; return f"{statistics.median(v):.0f} ({max(v):.0f})"
state = "all up" if sys.argv[3] == "up" else "first stopped"
print(f"| {sys.argv[2]} | {state} | {col(0)} | {col(1)} | {col(2)} | {col(3)} |")
PY
  done
done
echo
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(uname -sr); load average $(cut -d' ' -f1-3 /proc/loadavg)"
