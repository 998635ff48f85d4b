#!/usr/bin/env bash
# End-to-end benchmark of `fabinvoke chaincode invoke --waitForEvent` against `fabinvoke devnet up` on 127.0.0.1.
#
# For each network size (PEERS, default "1 2 4 16"; every peer is an endorser and is waited on) and each build (KINDS,
# default "native jit": the native AOT binary and the framework-dependent JIT build), it runs N invoke processes and
# reports the median and p95 of the whole invoke, the client time, every phase from fabinvoke's debug log
# (FABRIC_LOGGING_SPEC=debug) and DevNet's own time per transaction (devnet up --timings); then `--version`.
# It ends with ready-to-paste Markdown tables and the machine they were measured on; with WRITE_DOC=docs/performance.md
# it also writes them into that page, between its "bench/e2e.sh tables: begin" and "end" marker comments.
#
# Usage: bench/e2e.sh [N]            (N runs per configuration, default 20; two warm-up runs are not counted)
# Knobs (environment):
#   PEERS="1 2 4 16"  KINDS="native jit"  BATCH=100ms (orderer batch timeout)
#   FABINVOKE_NATIVE=path/to/fabinvoke   use this native binary instead of publishing one (2-3 min)
#   FABINVOKE_JIT=path/to/fabinvoke      use this framework-dependent build instead of building one
#   JIT_BUILD="build"|"r2r"              how the JIT build is made: dotnet build (default), or publish with ReadyToRun
#   FABINVOKE_DEVNET=path/to/fabinvoke   run devnet up from this binary (default: the native one, else the first kind's)
#   KEEP=dir                             keep the raw logs (one per invoke) and timings files there
#   CLIENT_TLS=1                         give the client the mutual-TLS settings (DevNet's User1 TLS certificate and key
#                                        for peers and orderer): it loads and offers them; devnet up does not ask for them
#   WRITE_DOC=docs/performance.md        rewrite that page's table section (between its marker comments) from this run
# Needs: the .NET 10 SDK, python3; for the native build clang, zlib, cmake and the static OpenSSL libraries
# (Debian: apt-get install -y clang zlib1g-dev cmake libssl-dev).
#
# Definitions (also in docs/performance.md): the debug log's phase line gives, from fabinvoke's main(): start-up (to the signed
# proposal), "ready to broadcast" (endorsement on every peer with the deliver streams and the orderer connection opened
# alongside), broadcast (until the orderer's answer), commit wait (until the last peer's commit report), and the
# wall-clock moments main began and ended. The script takes $EPOCHREALTIME just before and after each process, so
#   runtime start = main began - exec,   exit = process gone - main ended,
#   network wait  = ready to broadcast + broadcast + commit wait,
#   client time   = whole invoke - network wait.
# It also reports each invoke's CPU time (user + system, from the shell's `time`) and DevNet's CPU per invoke (the
# helper process that runs every node, from /proc: a mean over the runs, as the kernel counts it in 10 ms ticks).
set -euo pipefail
n=${1:-20}
peers_list=${PEERS:-1 2 4 16}
kinds=${KINDS:-native jit}
batch=${BATCH:-100ms}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
raw=${KEEP:-$work/raw}
mkdir -p "$raw"
up_pid=""
cleanup() {
  if [ -n "$up_pid" ]; then kill -TERM "$up_pid" 2>/dev/null || true; wait "$up_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
command -v python3 >/dev/null || { echo "bench/e2e.sh needs python3" >&2; exit 2; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "load average at start: $(load)"

declare -A bin
for kind in $kinds; do
  case $kind in
    native)
      if [ -n "${FABINVOKE_NATIVE:-}" ]; then bin[native]=$FABINVOKE_NATIVE; else
        command -v clang >/dev/null || { echo "native AOT needs clang: apt-get install -y clang zlib1g-dev cmake libssl-dev" >&2; exit 2; }
        echo "publishing the native binary (2-3 min)..."
        dotnet publish "$root/src/FabricInvoke.Cli" -c Release -r linux-x64 -p:PublishAot=true -o "$work/native" >"$work/native.log" 2>&1 \
          || { cat "$work/native.log" >&2; exit 1; }
        bin[native]=$work/native/fabinvoke
      fi ;;
    jit)
      if [ -n "${FABINVOKE_JIT:-}" ]; then bin[jit]=$FABINVOKE_JIT; else
        echo "building the JIT (framework-dependent) build..."
        if [ "${JIT_BUILD:-build}" = r2r ]; then
          dotnet publish "$root/src/FabricInvoke.Cli" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$work/jit" >"$work/jit.log" 2>&1 \
            || { cat "$work/jit.log" >&2; exit 1; }
        else
          dotnet build "$root/src/FabricInvoke.Cli" -c Release -o "$work/jit" >"$work/jit.log" 2>&1 || { cat "$work/jit.log" >&2; exit 1; }
        fi
        bin[jit]=$work/jit/fabinvoke
      fi ;;
    *) echo "unknown kind '$kind' (native, jit)" >&2; exit 2 ;;
  esac
done
# DevNet runs from the native binary when there is one: its own speed is not what is measured, only reported.
first_kind=${kinds%% *}
devnet_bin=${FABINVOKE_DEVNET:-${bin[native]:-${bin[$first_kind]}}}

# One timed process: its stderr (the debug log) goes to $3, then "exec <t0> exit <t1> status <rc>" and its CPU time
# (user and system seconds, from the shell's `time`) are appended.
timed() { # timed <label-for-errors> <logfile> cmd...
  local label=$1 log=$2 t0 t1 rc TIMEFORMAT='%3U %3S'
  shift 2
  t0=$EPOCHREALTIME
  set +e
  { time "$@" >/dev/null 2>"$log"; } 2>"$work/cpu"
  rc=$?
  set -e
  t1=$EPOCHREALTIME
  echo "BENCH exec $t0 exit $t1 status $rc" >>"$log"
  echo "BENCH cpu $(cat "$work/cpu")" >>"$log"
  [ "$rc" = 0 ] || { echo "run failed ($label, exit $rc):" >&2; tail -5 "$log" >&2; exit 1; }
}

# User + system CPU of a process so far, in clock ticks (/proc/PID/stat fields 14 and 15).
cpu_ticks() { if [ -n "$1" ] && [ -r "/proc/$1/stat" ]; then awk '{print $14 + $15}' "/proc/$1/stat"; else echo 0; fi; }

for peers in $peers_list; do
  if [ "$peers" = 1 ]; then orgs=1; ppo=1; elif [ "$peers" -le 16 ] && [ $((peers % 2)) = 0 ]; then orgs=2; ppo=$((peers / 2)); else
    echo "PEERS: use 1 or an even number up to 16" >&2; exit 2; fi
  net=$work/net-$peers
  timings=$raw/devnet-timings-$peers.log
  : >"$timings"
  "$devnet_bin" devnet up --dir "$net" --orgs "$orgs" --peers-per-org "$ppo" --batch-timeout "$batch" --timings "$timings" >"$work/up.log" 2>&1 &
  up_pid=$!
  for _ in $(seq 300); do grep -q "Press Ctrl-C" "$work/up.log" && break; kill -0 "$up_pid" 2>/dev/null || break; sleep 0.1; done
  grep -q "Press Ctrl-C" "$work/up.log" || { echo "devnet did not start" >&2; cat "$work/up.log" >&2; exit 1; }
  # shellcheck disable=SC1091
  source "$net/devnet.env"
  client_tls=()
  if [ "${CLIENT_TLS:-0}" = 1 ]; then
    tls_dir=$(dirname "$CORE_PEER_MSPCONFIGPATH")/tls
    export CORE_PEER_TLS_CLIENTAUTHREQUIRED=true CORE_PEER_TLS_CLIENTCERT_FILE=$tls_dir/client.crt CORE_PEER_TLS_CLIENTKEY_FILE=$tls_dir/client.key
    client_tls=(--clientauth --certfile "$tls_dir/client.crt" --keyfile "$tls_dir/client.key")
  fi
  helper=$(pgrep -P "$up_pid" | head -1 || true)
  for kind in $kinds; do
    fab=${bin[$kind]}
    echo "$kind, $peers peer(s): $n invokes (load $(load))"
    devnet_cpu_before=$(cpu_ticks "$helper")
    for i in $(seq -2 "$n"); do
      log=$raw/invoke-$kind-$peers-$i.log
      # shellcheck disable=SC2086
      FABRIC_LOGGING_SPEC=debug timed "$kind $peers peers" "$log" "$fab" chaincode invoke -C mychannel -n basic -c "{\"Args\":[\"Put\",\"bench$i\",\"v\"]}" \
        $FABINVOKE_PEERS -o "$ORDERER_ADDRESS" --tls --cafile "$ORDERER_CA" "${client_tls[@]}" --waitForEvent
      [ "$i" -gt 0 ] || rm -f "$log" # warm-up
    done
    echo "LOAD $(load)" >"$raw/load-$kind-$peers"
    # DevNet's CPU (the helper process that runs every node), over the counted invokes and their two warm-ups.
    echo "$(( $(cpu_ticks "$helper") - devnet_cpu_before )) $(getconf CLK_TCK) $((n + 2))" >"$raw/devnet-cpu-$kind-$peers"
  done
  kill -TERM "$up_pid"; wait "$up_pid" 2>/dev/null || true; up_pid=""
done

for kind in $kinds; do
  echo "$kind: $n x --version (load $(load))"
  for i in $(seq -2 "$n"); do
    timed "$kind --version" "$raw/version-$kind-$i.log" "${bin[$kind]}" --version
    [ "$i" -gt 0 ] || rm -f "$raw/version-$kind-$i.log"
  done
done

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
dotnet_version=$(dotnet --list-runtimes 2>/dev/null | grep -m1 'Microsoft.NETCore.App 10' | cut -d' ' -f2 || true)
machine="$cpu, $(nproc) cores, Linux $(uname -r), .NET ${dotnet_version:-?}, load average at end $(load)"
if [ -n "${WRITE_DOC:-}" ]; then
  case $WRITE_DOC in /*) doc=$WRITE_DOC ;; *) doc=$PWD/$WRITE_DOC ;; esac
  grep -q '^<!-- bench/e2e.sh tables: begin -->$' "$doc" || { echo "WRITE_DOC: $doc has no '<!-- bench/e2e.sh tables: begin -->' line" >&2; exit 2; }
fi
python3 - "$raw" "$n" "$batch" "$machine" "$kinds" "$peers_list" <<'PY' | tee "$work/tables.md"
import glob, math, os, re, statistics, sys
raw, n, batch, machine, kinds, peers_list = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5].split(), sys.argv[6].split()
PHASES = re.compile(r"phases: start-up ([\d.]+)ms, endorse ([\d.]+)ms \(deliver connect ([\d.]+)ms alongside; ready to broadcast after ([\d.]+)ms\), "
                    r"broadcast ([\d.]+)ms(?: \(orderer connect ([\d.]+)ms, TLS ([\d.]+)ms, while endorsing\))?, commit wait ([\d.]+)ms, total ([\d.]+)ms; "
                    r"main began at ([\d.]+), ended at ([\d.]+)")
TXID = re.compile(r"txid \[([0-9a-f]+)\] phases:")
ENDORSED = re.compile(r"endorsed by (.*); endorsements from")
PEER = re.compile(r"(\S+) \(([\d.]+)ms(?:: connect ([\d.]+)ms, TLS ([\d.]+)ms, call ([\d.]+)ms)?\)")
COMMIT = re.compile(r"in block \d+ at (\S+), ([\d.]+)ms after the orderer accepted it")
BENCH = re.compile(r"BENCH exec ([\d.]+) exit ([\d.]+) status 0")
CPU = re.compile(r"BENCH cpu ([\d.]+) ([\d.]+)")

def pct(values, p):
    v = sorted(values)
    return v[max(0, math.ceil(p / 100 * len(v)) - 1)] if v else None

def cell(values):
    if not values:
        return "–"
    return f"{statistics.median(values):.1f} / {pct(values, 95):.1f}"

def devnet(peers):
    """Per txid: the DevNet events (seconds) from devnet up --timings."""
    per = {}
    path = os.path.join(raw, f"devnet-timings-{peers}.log")
    for line in open(path) if os.path.exists(path) else []:
        f = line.split()
        kv = dict(x.split("=", 1) for x in f[2:] if "=" in x)
        if "txid" in kv:
            per.setdefault(kv["txid"], []).append((float(f[0]), f[1], kv))
    return per

rows = {}  # (kind, peers) -> metric -> [ms]
order = []
def add(key, metric, value):
    if metric not in order:
        order.append(metric)
    rows.setdefault(key, {}).setdefault(metric, []).append(value)

for peers in peers_list:
    events = devnet(peers)
    for kind in kinds:
        key = (kind, peers)
        for path in sorted(glob.glob(os.path.join(raw, f"invoke-{kind}-{peers}-*.log"))):
            text = open(path).read()
            m, b, t = PHASES.search(text), BENCH.search(text), TXID.search(text)
            if not (m and b and t):
                print(f"warning: {path} has no phase line", file=sys.stderr)
                continue
            startup, endorse, deliver, ready, broadcast, oconn, otls, commit, total, began, ended = (float(x) if x else None for x in m.groups())
            t0, t1 = float(b.group(1)), float(b.group(2))
            wall = (t1 - t0) * 1000
            network = ready + broadcast + commit
            add(key, "whole invoke", wall)
            add(key, "client time (whole − network wait)", wall - network)
            c = CPU.search(text)
            if c:
                add(key, "client CPU (user + system)", (float(c.group(1)) + float(c.group(2))) * 1000)
            add(key, "network wait (ready to broadcast + broadcast + commit wait)", network)
            add(key, "runtime start (exec → main)", (began - t0) * 1000)
            add(key, "main → proposal created", startup)
            add(key, "start-up to proposal (exec → proposal)", (began - t0) * 1000 + startup)
            e = ENDORSED.search(text)
            peers_seen = PEER.findall(e.group(1)) if e else []
            for _, lat, conn, tls, call in peers_seen:
                add(key, "endorsement, per peer (whole call)", float(lat))
                if conn:
                    add(key, "endorsement, per peer: TCP connect", float(conn))
                    add(key, "endorsement, per peer: TLS handshake", float(tls))
                    add(key, "endorsement, per peer: the call itself", float(call))
            add(key, "endorsement (all peers)", endorse)
            add(key, "deliver connect (all peers, alongside)", deliver)
            add(key, "ready to broadcast", ready)
            if oconn is not None:
                add(key, "orderer TCP connect (while endorsing)", oconn)
                add(key, "orderer TLS handshake (while endorsing)", otls)
            add(key, "broadcast (envelope → orderer's answer)", broadcast)
            for _, wait in COMMIT.findall(text):
                add(key, "commit wait, per peer (after the orderer's answer)", float(wait))
            add(key, "commit wait (last peer)", commit)
            add(key, "after the commit (output, close)", total - startup - ready - broadcast - commit)
            add(key, "exit (main ended → process gone)", (t1 - ended) * 1000)
            ev = events.get(t.group(1), [])
            get = lambda name: [x for x in ev if x[1] == name]
            rec, ans, cut, com, dlv = get("received"), get("answered"), get("cut"), get("validated"), get("delivered")
            if rec and ans and cut and com and dlv:
                after = float(cut[0][2]["after"].rstrip("ms"))
                timeout = float(cut[0][2]["batch-timeout"].rstrip("ms"))
                # Later invokes' streams start at the newest block and send it again: per peer, the first send after the cut.
                first = {}
                for at, _, kv in dlv:
                    if at >= cut[0][0]:
                        first[kv["node"]] = min(at, first.get(kv["node"], at))
                sent = max(first.values())
                own = (ans[0][0] - rec[0][0]) * 1000 + (sent - cut[0][0]) * 1000
                add(key, "DevNet: orderer received → answered", (ans[0][0] - rec[0][0]) * 1000)
                add(key, "DevNet: batch timer → block cut, beyond the batch timeout", after - timeout)
                add(key, "DevNet: block cut → last peer validated", (max(x[0] for x in com) - cut[0][0]) * 1000)
                add(key, "DevNet: block cut → last peer's deliver stream sent it", (sent - cut[0][0]) * 1000)
                add(key, "DevNet: own time (received → answered, block cut → last sent)", own)
                add(key, "client: last block sent → main ended", (ended - sent) * 1000)
        cpu_file = os.path.join(raw, f"devnet-cpu-{kind}-{peers}")
        if os.path.exists(cpu_file):
            ticks, hz, runs = (int(x) for x in open(cpu_file).read().split())
            add(key, "DevNet CPU per invoke (all nodes; mean, not median / p95)", 0)
            rows[key]["DevNet CPU per invoke (all nodes; mean, not median / p95)"] = f"{ticks * 1000 / hz / runs:.1f}"
        loads = open(os.path.join(raw, f"load-{kind}-{peers}")).read().split()[1:] if os.path.exists(os.path.join(raw, f"load-{kind}-{peers}")) else []
        add(key, "load average after (1/5/15 min)", 0)
        rows[key]["load average after (1/5/15 min)"] = " ".join(loads)
for kind in kinds:
    for path in glob.glob(os.path.join(raw, f"version-{kind}-*.log")):
        b = BENCH.search(open(path).read())
        if b:
            add((kind, "version"), "--version", (float(b.group(2)) - float(b.group(1))) * 1000)

print()
print(f"Machine: {machine}")
print(f"Command: bench/e2e.sh {n}  (PEERS=\"{' '.join(peers_list)}\" KINDS=\"{' '.join(kinds)}\" BATCH={batch}"
      f"{' CLIENT_TLS=1' if os.environ.get('CLIENT_TLS') == '1' else ''}); "
      f"figures in ms, median / p95 of {n} runs")
for kind in kinds:
    name = {"native": "native AOT", "jit": "JIT (framework-dependent)"}.get(kind, kind)
    print()
    print(f"#### {name}: `chaincode invoke --waitForEvent`, every peer endorsing and waited on, batch timeout {batch}")
    print()
    print("| ms (median / p95) | " + " | ".join(f"{p} peer{'s' if p != '1' else ''}" for p in peers_list) + " |")
    print("|---|" + "---|" * len(peers_list))
    for metric in order:
        if metric == "--version":
            continue
        vals = [rows.get((kind, p), {}).get(metric) for p in peers_list]
        if all(v is None for v in vals):
            continue
        print(f"| {metric} | " + " | ".join(v if isinstance(v, str) else cell(v or []) for v in vals) + " |")
    version = rows.get((kind, "version"), {}).get("--version")
    print(f"| `fabinvoke --version` (whole process) | {cell(version or [])} |" + " |" * (len(peers_list) - 1))
    one = rows.get((kind, peers_list[0]), {}).get("whole invoke")
    last = rows.get((kind, peers_list[-1]), {}).get("whole invoke")
    if one and last and len(peers_list) > 1:
        print()
        print(f"{name}: whole invoke with {peers_list[-1]} peers / with {peers_list[0]} peer(s) (medians): {statistics.median(last) / statistics.median(one):.2f}")
PY

# WRITE_DOC: the tables above replace the page's section between the marker comments; the rest of the page is kept.
if [ -n "${WRITE_DOC:-}" ]; then
  commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
  python3 - "$doc" "$work/tables.md" "$commit" "$(date -u +%Y-%m-%d)" <<'PY'
import sys
doc, tables, commit, day = sys.argv[1:]
begin, end = "<!-- bench/e2e.sh tables: begin -->", "<!-- bench/e2e.sh tables: end -->"
text = open(doc, encoding="utf-8").read()
i, j = text.find(begin + "\n"), text.find(end)
if i < 0 or j < i:
    sys.exit(f"WRITE_DOC: {doc} has no '{begin}' ... '{end}' section")
body = open(tables, encoding="utf-8").read().strip("\n")
section = f"{begin}\nWritten by `bench/e2e.sh` (WRITE_DOC) on {day}, measuring commit `{commit}`.\n\n{body}\n"
open(doc, "w", encoding="utf-8").write(text[:i] + section + text[j:])
PY
  echo "wrote the tables into $doc"
fi
