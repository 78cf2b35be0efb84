#!/usr/bin/env bash
# Installs what `npm run test:browser` needs beyond node_modules: Debian's chromium.
# Idempotent: does nothing when /usr/bin/chromium is already there. Never downloads
# a browser build of its own (no `npx playwright install`). Run as root (CI is).
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  echo "chromium already installed: $(/usr/bin/chromium --version 2>/dev/null | head -n 1)"
  exit 0
fi

SUDO=''
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO='sudo'; else
    echo "install-browser-deps: needs root (or sudo) to apt-get install chromium" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
echo "installed: $(/usr/bin/chromium --version 2>/dev/null | head -n 1)"
