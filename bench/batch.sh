#!/usr/bin/env bash
# Many transactions from one client against a real Fabric 2.4.9 network (issue 24): the same N Puts
# (`Put <run>-<i> v`, a new key each, so no two conflict) submitted by
#   node       a fabric-gateway Node client (bench/batch/gateway-client.js, @hyperledger/fabric-gateway) with C submits in
#              flight through Org1's peer Gateway, each waiting for its commit status;
#   batch      `fabinvoke chaincode invoke --batch FILE --concurrency C --waitForEvent`, direct path: both peers endorse,
#              the orderer is given, each line waits for both peers' commit;
#   batch-gw   the same through Org1's peer Gateway (`--gateway`), as the Node client does;
#   loop       a shell loop of single `fabinvoke chaincode invoke --waitForEvent` processes (2 peers), one at a time;
#   peer-loop  the same loop with the Go `peer chaincode invoke --waitForEvent`.
# For each run it reports the transactions committed VALID, tx/s (VALID ones over the process's wall-clock time, its
# start-up and connections included), the median and p95 latency of one transaction (node and batch: as the client
# reports it, from its submit to its commit; loops: one whole process), the client's CPU time (user + system, from
# /usr/bin/time; a loop's is every process it ran) per committed transaction, its peak resident memory (maxresident;
# a loop's is its largest process), and the network's CPU per transaction (orderer, both peers and the chaincode, from
# /proc: the cost on the server side, which shares this machine's cores with the client). Ends with a Markdown table
# and the machine.
#
# Usage: bench/batch.sh [N]           (N transactions per run, default 2000)
# Knobs (environment):
#   CONCURRENCY="30 100"   in-flight transactions for node, batch and batch-gw (the loops are sequential)
#   CLIENTS="node batch batch-gw loop peer-loop"
#   LOOP_N=N               transactions of each loop (a loop runs 5-6 tx/s: 2000 take ~6 min each)
#   ROUNDS=1               repeat every run this many times (interleaved), one table row each
#   BASE_PORT=26200        the network's base port (it uses BASE_PORT+0..99); NET_DIR=/tmp/fabinvoke-bench-batch-$BASE_PORT
#                          its folder: a network already running there is reused (and left running), otherwise it is
#                          started with ../shared/fabric/network.sh (FABRIC_HOME=that folder) and stopped at the end
#                          unless KEEP_NET=1
#   FABINVOKE=path         the native fabinvoke to run (default: publish one, native AOT, 2-8 min)
#   KEEP=dir               keep every run's output, stderr and results there
# Needs: the .NET 10 SDK (+ clang, zlib, cmake, libssl-dev for the native build) unless FABINVOKE is given, node and
# npm (the Node client's packages are installed with `npm ci` into bench/batch/node_modules), python3, /usr/bin/time.
set -euo pipefail
n=${1:-2000}
concurrency_list=${CONCURRENCY:-30 100}
clients=${CLIENTS:-node batch batch-gw loop peer-loop}
loop_n=${LOOP_N:-$n}
rounds=${ROUNDS:-1}
base=${BASE_PORT:-26200}
net=${NET_DIR:-/tmp/fabinvoke-bench-batch-$base}
root=$(cd "$(dirname "$0")/.." && pwd)
fabric_home=${FABRIC_HOME:-$(cd "$root/../shared/fabric" 2>/dev/null && pwd || echo /work/shared/fabric)}
work=$(mktemp -d)
raw=${KEEP:-$work/raw}
mkdir -p "$raw"
stop_net=0
cleanup() {
  if [ "$stop_net" = 1 ] && [ "${KEEP_NET:-0}" != 1 ]; then "$fabric_home/network.sh" down "$net" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
for tool in python3 node npm /usr/bin/time; do command -v "$tool" >/dev/null || { echo "bench/batch.sh needs $tool" >&2; exit 2; }; done
load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "load average at start: $(load)"

# The network: reused when every process in its pids file is alive, else started (network.sh up: ~20 s).
alive() { [ -s "$net/pids" ] && while read -r _ pid; do kill -0 "$pid" 2>/dev/null || return 1; done <"$net/pids"; }
if alive; then echo "reusing the network in $net"; else
  echo "starting Fabric 2.4.9 in $net (base port $base)..."
  FABRIC_NET_VERSION=2.4.9 FABRIC_NET_BASE_PORT=$base "$fabric_home/network.sh" up "$net" >"$work/up.log" 2>&1 || { cat "$work/up.log" >&2; exit 1; }
  stop_net=1
fi
# shellcheck disable=SC1091
. "$net/network.env"
[ "$FABRIC_NET_VERSION" = 2.4.9 ] || { echo "$net holds a Fabric $FABRIC_NET_VERSION network, not 2.4.9" >&2; exit 2; }

if [ -n "${FABINVOKE:-}" ]; then fab=$FABINVOKE; else
  echo "publishing the native binary (2-8 min)..."
  dotnet publish "$root/src/FabricInvoke.Cli" -c Release -r linux-x64 -p:PublishAot=true -o "$work/native" >"$work/native.log" 2>&1 \
    || { cat "$work/native.log" >&2; exit 1; }
  fab=$work/native/fabinvoke
fi
case " $clients " in *" node "*)
  [ -d "$root/bench/batch/node_modules" ] || (cd "$root/bench/batch" && npm ci --no-audit --no-fund >"$work/npm.log" 2>&1) || { cat "$work/npm.log" >&2; exit 1; } ;;
esac

direct=(-o "$ORDERER_ADDRESS" --tls --cafile "$ORDERER_CA" --peerAddresses "$ORG1_PEER_ADDRESS" --tlsRootCertFiles "$ORG1_PEER_CA"
  --peerAddresses "$ORG2_PEER_ADDRESS" --tlsRootCertFiles "$ORG2_PEER_CA")
gateway=(--gateway --peerAddresses "$ORG1_PEER_ADDRESS" --tlsRootCertFiles "$ORG1_PEER_CA")
cc=(-C mychannel -n basic)

# CPU of the network's processes so far, in clock ticks (/proc/PID/stat fields 14 and 15).
net_ticks() { local t=0 pid; while read -r _ pid; do t=$((t + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0))); done <"$net/pids"; echo $t; }

# measure <label> <concurrency> <transactions> <latencies-kind> cmd...: runs cmd under /usr/bin/time, then appends a
# row (label, concurrency, tx, wall s, user s, sys s, maxrss KiB, network ticks, clock tick Hz, latencies file) to rows.
measure() {
  local label=$1 conc=$2 tx=$3 dir=$4 t0 t1 ticks0 ticks1 rc
  shift 4
  echo "$label, concurrency $conc: $tx transactions (load $(load))"
  ticks0=$(net_ticks); t0=$EPOCHREALTIME
  set +e
  /usr/bin/time -f '%U %S %M' -o "$dir/time" "$@" >"$dir/stdout" 2>"$dir/stderr"
  rc=$?
  set -e
  t1=$EPOCHREALTIME; ticks1=$(net_ticks)
  echo "$rc" >"$dir/rc"
  [ "$rc" = 0 ] || { echo "  exit $rc:" >&2; tail -3 "$dir/stderr" >&2; }
  echo "$label $conc $tx $(python3 -c "print($t1 - $t0)") $(tail -1 "$dir/time") $((ticks1 - ticks0)) $(getconf CLK_TCK) $dir" >>"$work/rows"
}

run_id=$(date +%H%M%S)
for round in $(seq 1 "$rounds"); do
  for conc in $concurrency_list; do
    for client in $clients; do
      dir=$raw/$client-$conc-r$round; mkdir -p "$dir"; prefix=bench-$run_id-$client-$conc-r$round
      case $client in
        node) measure node "$conc" "$n" "$dir" node "$root/bench/batch/gateway-client.js" "$n" "$conc" "$prefix" ;;
        batch|batch-gw)
          for i in $(seq 0 $((n - 1))); do printf '{"Args":["Put","%s-%d","v"]}\n' "$prefix" "$i"; done >"$dir/input.jsonl"
          if [ "$client" = batch ]; then path=("${direct[@]}"); else path=("${gateway[@]}"); fi
          measure "$client" "$conc" "$n" "$dir" "$fab" chaincode invoke "${cc[@]}" "${path[@]}" --waitForEvent \
            --batch "$dir/input.jsonl" --concurrency "$conc" --output-file "$dir/results.jsonl" ;;
        loop|peer-loop)
          [ "$conc" = "${concurrency_list%% *}" ] || continue # sequential: once per round
          if [ "$client" = loop ]; then one=("$fab"); else one=(peer); fi
          # shellcheck disable=SC2016
          measure "$client" 1 "$loop_n" "$dir" bash -c 'n=$1 prefix=$2; shift 2
            for i in $(seq 0 $((n - 1))); do
              t0=$EPOCHREALTIME
              "$@" -c "{\"Args\":[\"Put\",\"$prefix-$i\",\"v\"]}" >/dev/null 2>>"$0.err" && echo "VALID $t0 $EPOCHREALTIME" || echo "FAILED $t0 $EPOCHREALTIME"
            done >"$0.lat"' "$dir/loop" "$loop_n" "$prefix" "${one[@]}" chaincode invoke "${cc[@]}" "${direct[@]}" --waitForEvent ;;
        *) echo "unknown client '$client' (node, batch, batch-gw, loop, peer-loop)" >&2; exit 2 ;;
      esac
    done
  done
done

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
machine="$cpu, $(nproc) cores, $(free -g | awk '/^Mem:/{print $2}') GiB, Linux $(uname -r), node $(node --version), fabinvoke $("$fab" --version 2>/dev/null | head -1), load average at end $(load)"
python3 - "$work/rows" "$machine" <<'EOF'
import json, math, os, sys
rows, machine = sys.argv[1], sys.argv[2]
def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, math.floor(p * len(xs)))] if xs else float('nan')
names = {'node': 'fabric-gateway Node client', 'batch': 'fabinvoke --batch (2 peers, direct)', 'batch-gw': 'fabinvoke --batch --gateway',
         'loop': 'shell loop of fabinvoke invoke', 'peer-loop': 'shell loop of peer chaincode invoke'}
print()
print('| client | in flight | committed | tx/s | p50 ms | p95 ms | client CPU ms/tx | peak RSS MB | network CPU ms/tx |')
print('|---|---|---|---|---|---|---|---|---|')
for line in open(rows):
    label, conc, tx, wall, user, sys_, rss, ticks, hz, d = line.split()
    tx, wall, cpu, rss, net = int(tx), float(wall), float(user) + float(sys_), int(rss), int(ticks) / int(hz)
    lat, ok = [], 0
    if label == 'node':
        out = open(os.path.join(d, 'stdout')).read().strip().splitlines()
        r = json.loads(out[-1]) if out else {}
        ok, p50, p95 = r.get('ok', 0), r.get('p50_ms', float('nan')), r.get('p95_ms', float('nan'))
    else:
        if label in ('batch', 'batch-gw'):
            results = [json.loads(l) for l in open(os.path.join(d, 'results.jsonl')) if l.strip()] if os.path.exists(os.path.join(d, 'results.jsonl')) else []
            lat = [r['elapsed_ms'] for r in results if r.get('status') == 'VALID']
        else:
            for l in open(os.path.join(d, 'loop.lat')):
                status, t0, t1 = l.split()
                if status == 'VALID':
                    lat.append((float(t1) - float(t0)) * 1000)
        ok, p50, p95 = len(lat), pct(lat, 0.5), pct(lat, 0.95)
    per = lambda x: x * 1000 / ok if ok else float('nan')
    print(f'| {names[label]} | {conc} | {ok}/{tx} | {ok / wall:.1f} | {p50:.0f} | {p95:.0f} | {per(cpu):.2f} | {rss / 1024:.0f} | {per(net):.1f} |')
print()
print(f'Machine: {machine}.')
EOF
