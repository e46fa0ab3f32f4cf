#!/usr/bin/env bash
# Installs every non-npm tool the test suite uses, idempotently (CI runs this on
# a fresh machine): the Clojure interop clients (scripts/install-clojure.sh),
# tmux (drives `nrepl-ts connect` through a real pseudo-terminal), nc (the plain
# REPL as a person reaches it, netcat-openbsd) and openssl
# (`openssl s_client` against the TLS servers).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-clojure.sh
missing=()
for tool in tmux openssl; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
command -v nc >/dev/null 2>&1 || missing+=(netcat-openbsd)
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo -n"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1 || { $SUDO apt-get update >/dev/null && $SUDO apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; }
fi
echo "install-test-tools.sh: tmux=$(command -v tmux) openssl=$(command -v openssl) nc=$(command -v nc)"
