#!/bin/sh
# Installs the daemons whose own parsers test/export/daemons.test.ts reads the exported
# device configurations with: strongSwan (charon-systemd + swanctl), BIRD 2 and FRR,
# plus iproute2 for the test's network namespace. Debian/Ubuntu; idempotent: installs
# only what is missing and does nothing when everything is there. Without these the
# parser tests skip and say so.
set -eu

PACKAGES="strongswan-swanctl charon-systemd libcharon-extra-plugins bird2 frr iproute2"

missing=""
for package in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing="$missing $package"
  fi
done

if [ -z "$missing" ]; then
  echo "install-export-deps: already installed:$(printf ' %s' $PACKAGES)"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
# Another apt may be running (CI images, other set-up scripts): wait for its lock.
APT="$SUDO apt-get -o DPkg::Lock::Timeout=300 -o Acquire::Retries=3"

echo "install-export-deps: installing$missing"
$APT update
# shellcheck disable=SC2086 # one word per package
$APT install -y --no-install-recommends $missing
