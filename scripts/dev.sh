#!/usr/bin/env bash
# One script for a fresh Debian 12 machine:
#   scripts/dev.sh run [connwatch options]   install what is missing, build, start connwatch
#   scripts/dev.sh test                      install what is missing, build, run every test
#   scripts/dev.sh deps | build              just that step
# Installs with apt-get as root, or through sudo. Safe to run again: it installs only what is
# missing and rebuilds only what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

# Build and library packages, then the tools the tests compare against or drive.
PACKAGES=(
  build-essential meson ninja-build pkg-config gettext
  libmnl-dev libncurses-dev libcmocka-dev libzstd-dev
  iproute2 net-tools netbase nftables procps strace jq tmux curl python3 locales systemd
  hyperfine prometheus hping3 clang libclang-rt-14-dev libbpf-dev bpftool
)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else echo "dev.sh: need root or sudo to install: $*" >&2; exit 1; fi
}

deps() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "dev.sh: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  # prometheus is only a test peer: keep its service from starting on a developer's machine.
  as_root apt-get update -q
  as_root apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
  if [ -d /run/systemd/system ] && systemctl is-active --quiet prometheus 2>/dev/null; then
    as_root systemctl stop prometheus || true
  fi
}

build() {
  local werror=false
  [ "${CI:-}" = true ] && werror=true
  if [ ! -f build/build.ninja ]; then
    meson setup build -Dwerror=$werror >/dev/null
  fi
  ninja -C build >/dev/null
}

build_sanitized() {
  if [ ! -f build-asan/build.ninja ]; then
    CC=${SAN_CC:-cc} meson setup build-asan -Dwerror=true -Db_sanitize=address,undefined \
      -Db_lundef=false -Dbuildtype=debug >/dev/null
  fi
  ninja -C build-asan >/dev/null
}

case "${1:-}" in
  deps) deps ;;
  build) deps; build ;;
  run) shift; deps; build; exec ./build/connwatch "$@" ;;
  test) shift; deps; build; build_sanitized; exec tests/run-all.sh "$@" ;;
  *) echo "usage: scripts/dev.sh run [OPTIONS] | test | deps | build" >&2; exit 2 ;;
esac
