#!/usr/bin/env bash
# Installs the Debian 12 packages strokeviz needs to build, run and test,
# skipping those already installed. Uses sudo when not root.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config git python3 python3-glad
  libimgui-dev libglfw3-dev libgl-dev libgl1-mesa-dri libegl-dev
  libeigen3-dev nlohmann-json3-dev libspdlog-dev libhiredis-dev
  liburdfdom-dev libtinyxml-dev libassimp-dev libcli11-dev libstb-dev libboost-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  redis-server redis-tools xvfb xauth x11-utils xdotool
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
# A freshly installed redis-server may start a system instance; the tests
# start their own on free ports, so it is left alone.
