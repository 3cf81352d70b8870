#!/usr/bin/env bash
# Installs the Debian packages named in scripts/apt-packages.txt that are missing.
# Another apt (unattended upgrades on a fresh machine, a second terminal) holds apt's locks for
# a while: wait for them, bounded, as apt itself can, instead of failing at once.
set -euo pipefail
cd "$(dirname "$0")/.."
wait_seconds=${ACCUEIL_APT_LOCK_WAIT:-600}
sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo

missing=()
for p in $(grep -v '^\s*#' scripts/apt-packages.txt); do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
[ ${#missing[@]} -gt 0 ] || exit 0
echo "installing Debian packages: ${missing[*]}"

# `apt-get update` ignores DPkg::Lock::Timeout for the lists lock (apt 2.6): retry it instead.
deadline=$(( $(date +%s) + wait_seconds ))
until $sudo apt-get update -qq; do
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "apt-get update: another apt still holds the lock after ${wait_seconds}s; run 'make' again when it is done" >&2
    exit 1
  fi
  echo "waiting for another apt to finish (at most ${wait_seconds}s)..." >&2
  sleep 5
done
DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout="$wait_seconds" \
  install -y -qq "${missing[@]}"
