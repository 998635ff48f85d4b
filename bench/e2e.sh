#!/usr/bin/env bash
# End-to-end benchmark: publishes fabinvoke as a native (AOT) binary, starts `fabinvoke devnet up` on 127.0.0.1,
# and times N complete `chaincode invoke --waitForEvent` processes against it, plus process start-up and a
# self-contained `--devnet` run. Native AOT needs clang and zlib (Debian: apt-get install -y clang zlib1g-dev).
# Usage: bench/e2e.sh [N]   (set JIT=1 to time the framework-dependent build instead)
set -euo pipefail
n=${1:-20}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
up_pid=""
cleanup() {
  [ -n "$up_pid" ] && kill -TERM "$up_pid" 2>/dev/null && wait "$up_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

if [ "${JIT:-0}" = 1 ]; then
  dotnet build "$root/src/FabricInvoke.Cli" -c Release -o "$work/bin" >/dev/null
  kind="JIT (dotnet build -c Release)"
else
  command -v clang >/dev/null || { echo "native AOT needs clang: apt-get install -y clang zlib1g-dev" >&2; exit 2; }
  dotnet publish "$root/src/FabricInvoke.Cli" -c Release -r linux-x64 -p:PublishAot=true -o "$work/bin" >/dev/null
  kind="native AOT (dotnet publish -p:PublishAot=true)"
fi
fab="$work/bin/fabinvoke"

mean() { # mean wall seconds of running "$@" $n times
  local start end
  start=$(date +%s%N)
  for _ in $(seq "$n"); do "$@" >/dev/null 2>&1 || { echo "run failed: $*" >&2; exit 1; }; done
  end=$(date +%s%N)
  echo "scale=3; ($end - $start) / $n / 1000000000" | bc
}

"$fab" devnet up --dir "$work/net" >"$work/up.log" 2>&1 &
up_pid=$!
for _ in $(seq 100); do grep -q "Press Ctrl-C" "$work/up.log" && break; sleep 0.1; done
grep -q "Press Ctrl-C" "$work/up.log" || { echo "devnet did not start" >&2; cat "$work/up.log" >&2; exit 1; }
# shellcheck disable=SC1091
source "$work/net/devnet.env"
# shellcheck disable=SC2086
invoke() { "$fab" chaincode invoke -C mychannel -n basic -c '{"Args":["Put","bench","v"]}' $FABINVOKE_PEERS -o "$ORDERER_ADDRESS" --tls --cafile "$ORDERER_CA" --waitForEvent; }
invoke >/dev/null 2>&1 # warm the network

echo "fabinvoke $kind, $(nproc) cores, mean of $n runs"
echo "invoke --waitForEvent against devnet up (2 orgs, batch timeout 100ms): $(mean invoke) s"
echo "process start-up (--help):                                            $(mean "$fab" --help) s"
echo "invoke --devnet (start network, invoke, wait, stop):                  $(mean "$fab" chaincode invoke --devnet "$work/dn" -C mychannel -n basic -c '{"Args":["Put","k","v"]}' --waitForEvent) s"
