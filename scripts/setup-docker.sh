#!/usr/bin/env bash
# Sets up a Docker engine for the container tests, idempotently (CI runs this as root on a clean
# Debian-like machine): installs Debian's docker.io when dockerd is missing, starts dockerd in the
# background when no engine answers, and waits for its socket.
# No registry is reachable from CI machines and no bridge addresses may be used: dockerd runs
# without a bridge and without iptables; containers use host networking.
# --no-install: start an installed engine only (exit 3 when dockerd is not installed); the tests use
# it, so a newcomer's `npm test` never installs system packages.
set -euo pipefail

INSTALL=1
if [ "${1:-}" = "--no-install" ]; then INSTALL=0; fi

SOCKET=/var/run/docker.sock
LOG=${KVSC_DOCKERD_LOG:-/var/log/kvs-conformance-dockerd.log}

engine_answers() { docker -H "unix://$SOCKET" version --format '{{.Server.Version}}' >/dev/null 2>&1; }

if engine_answers; then
  echo "setup-docker: engine already running ($(docker -H "unix://$SOCKET" version --format '{{.Server.Version}}'))"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "setup-docker: no Docker engine answers on $SOCKET, and starting one needs root" >&2
  exit 2
fi

if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then
  if [ "$INSTALL" -eq 0 ]; then
    echo "setup-docker: dockerd is not installed (scripts/setup-docker.sh without --no-install installs Debian's docker.io)" >&2
    exit 3
  fi
  echo "setup-docker: installing docker.io (Debian package)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq docker.io >/dev/null
fi

echo "setup-docker: starting dockerd --bridge=none --iptables=false (log: $LOG)"
nohup dockerd --bridge=none --iptables=false --ip6tables=false --host "unix://$SOCKET" >>"$LOG" 2>&1 &

for _ in $(seq 1 120); do
  if engine_answers; then
    echo "setup-docker: engine ready ($(docker -H "unix://$SOCKET" version --format '{{.Server.Version}}'))"
    exit 0
  fi
  sleep 0.5
done
echo "setup-docker: dockerd did not answer on $SOCKET within 60 s; see $LOG" >&2
tail -n 20 "$LOG" >&2 || true
exit 2
