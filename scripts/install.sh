#!/usr/bin/env bash
# Installs, with apt, a tool the build or the tests need when the machine lacks it.
#   scripts/install.sh node       Node.js and npm: the Gateway's build bundles the dashboard with them
#   scripts/install.sh chromium   Debian's Chromium: the dashboard's tests drive it (prints its path)
set -euo pipefail

apt_install() {
  if [ "$(id -u)" -ne 0 ]; then echo "$1 is not installed; install the Debian package(s): ${*:2}" >&2; exit 1; fi
  echo "Installing ${*:2} with apt..." >&2
  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${@:2}" >&2
}

case "${1:?usage: install.sh node | chromium}" in
  node)
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then apt_install "Node.js" nodejs npm; fi
    ;;
  chromium)
    if ! command -v chromium >/dev/null; then apt_install "Chromium" chromium fonts-dejavu-core; fi
    command -v chromium
    ;;
  *) echo "install.sh: unknown tool '$1'" >&2; exit 2 ;;
esac
