#!/usr/bin/env bash
# Installs what the live lab (`npm run test:live`, `vwan-ha lab …`) needs on Debian/Ubuntu:
# strongSwan's charon-systemd with the kernel-libipsec plugin (userland ESP on a TUN device),
# swanctl, BIRD 2, nftables, iproute2, arping, procps, and FRR as an alternative BGP speaker.
# Idempotent: installs only what is missing. Run as root (CI runs it before the live suite).
set -euo pipefail

packages=(
  strongswan-swanctl
  charon-systemd
  libcharon-extra-plugins
  bird2
  nftables
  iproute2
  iputils-arping
  procps
  frr
)

if [[ "$(id -u)" -ne 0 ]]; then
  echo "install-lab-deps: must run as root (try: sudo $0)" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-lab-deps: apt-get not found; install these packages by hand: ${packages[*]}" >&2
  exit 1
fi

missing=()
for package in "${packages[@]}"; do
  status="$(dpkg-query -W -f '${Status}' "$package" 2>/dev/null || true)"
  if [[ "$status" != "install ok installed" ]]; then
    missing+=("$package")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-lab-deps: all lab packages present"
  exit 0
fi

echo "install-lab-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# The packages' own services (frr, bird, strongswan) must not start system-wide daemons:
# the lab runs its own per namespace. policy-rc.d 101 forbids service starts during install.
created_policy=0
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod 0755 /usr/sbin/policy-rc.d
  created_policy=1
fi
cleanup() {
  if [[ $created_policy -eq 1 ]]; then rm -f /usr/sbin/policy-rc.d; fi
}
trap cleanup EXIT
apt-get install -y --no-install-recommends -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}"
echo "install-lab-deps: done"
