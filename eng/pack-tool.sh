#!/usr/bin/env bash
# Packs the .NET tool `fabinvoke` into OUT (default: artifacts/packages): the pointer package `fabinvoke`, the native AOT
# package for this machine's RID when it is one the tool lists (linux-x64), and the framework-dependent `any` fallback
# that every other platform with the .NET 10 runtime installs. Native AOT needs clang and zlib, and links OpenSSL in
# with cmake and the static OpenSSL libraries (Debian: clang zlib1g-dev cmake libssl-dev).
#   eng/pack-tool.sh [OUT] [extra dotnet pack arguments, e.g. -p:VersionSuffix=rc.1]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$(mkdir -p "${1:-$root/artifacts/packages}" && cd "${1:-$root/artifacts/packages}" && pwd)"
shift || true
project="$root/src/FabricInvoke.Cli"
rid="$(dotnet --info | awk '/^ *RID:/ { print $2; exit }')"

dotnet pack "$project" -c Release -o "$out" "$@"
case ";linux-x64;" in
  *";$rid;"*) dotnet pack "$project" -c Release -r "$rid" -o "$out" "$@" ;;
  *) echo "pack-tool: no native package for $rid (native AOT packs only on the platform it targets)" >&2 ;;
esac
dotnet pack "$project" -c Release -r any -o "$out" "$@"
ls "$out"
