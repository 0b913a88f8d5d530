#!/usr/bin/env bash
# Installs everything attncc and its test suite need on a fresh Debian machine; safe to re-run.
#   Debian: mesa-vulkan-drivers (WebGPU on the CPU through lavapipe), chromium and
#           chromium-driver (browser tests), postgresql (distributed tuning tests).
#   Python: attncc itself, editable, with its test extras (torch is pinned to the CPU wheel).
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_PACKAGES=(mesa-vulkan-drivers chromium chromium-driver postgresql)

if command -v apt-get >/dev/null 2>&1; then
  missing=()
  for pkg in "${DEBIAN_PACKAGES[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
    echo "setup: installing Debian packages: ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >/dev/null
  fi
else
  echo "setup: no apt-get here; install ${DEBIAN_PACKAGES[*]} yourself for the browser," \
       "WebGPU and PostgreSQL tests (they skip without them)" >&2
fi

echo "setup: installing attncc and its test dependencies"
python -m pip install -q --disable-pip-version-check -e ".[test]"
