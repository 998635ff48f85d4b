#!/usr/bin/env bash
# Packs the library into OUT (default: artifacts/packages): FabricInvoke.Core and the FabricInvoke.Protos package it
# depends on (same version), each with its symbols package (.snupkg). One `dotnet pack` of eng/FabricInvoke.Library.slnf.
#   eng/pack-library.sh [OUT] [extra dotnet pack arguments, e.g. -p:VersionSuffix=rc.1]
# A consumer restores them from OUT as a package source (plus nuget.org for Grpc, Google.Protobuf, BouncyCastle and
# YamlDotNet). tests/FabricInvoke.Package.Tests runs this and builds tests/FabricInvoke.Package.Tests/Consumer against it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$(mkdir -p "${1:-$root/artifacts/packages}" && cd "${1:-$root/artifacts/packages}" && pwd)"
shift || true
dotnet pack "$root/eng/FabricInvoke.Library.slnf" -c Release -nologo "-p:PackageOutputPath=$out" "$@"
ls "$out"
