#!/usr/bin/env bash
# Rewrites src/FabricInvoke.Core/PublicAPI.Unshipped.txt from the current code: every public type and member of the
# library that PublicAPI.Shipped.txt does not already list. Run it after changing (or merging changes to) Core's public
# API, then review the diff: it is the API change a library user will see.
#   eng/update-public-api.sh
# How: the file is emptied to its header and `dotnet format analyzers` applies the PublicApiAnalyzers code fix for
# RS0016 (public symbol not declared) to the whole project; the analyzer sorts nothing, so the script sorts the lines.
# The build (Release) fails with RS0016/RS0017/RS0026/RS0027 until the file matches the code.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
project="$root/src/FabricInvoke.Core/FabricInvoke.Core.csproj"
unshipped="$root/src/FabricInvoke.Core/PublicAPI.Unshipped.txt"

printf '#nullable enable\n' >"$unshipped"
dotnet restore "$project" >/dev/null
# dotnet format exits non-zero when diagnostics remain that it cannot fix; the check below is what counts.
dotnet format analyzers "$project" --no-restore --diagnostics RS0016 --severity warn || true
{ printf '#nullable enable\n'; grep -v '^#nullable enable$' "$unshipped" | grep -v '^$' | LC_ALL=C sort -u; } >"$unshipped.tmp"
mv "$unshipped.tmp" "$unshipped"
echo "$(grep -vc '^#' "$unshipped") entries in ${unshipped#"$root"/}"
