#!/usr/bin/env bash
# Installs, from Debian's packages only, the third-party Clojure clients that
# the interop tests run against our servers (test/interop/*):
#   clojure               Debian's launcher + clojure.jar 1.11.1; pulls in
#                         default-jre-headless (a JRE, OpenJDK 17 on bookworm),
#                         libspec-alpha-clojure and libcore-specs-alpha-clojure
#   libnrepl-clojure      the reference nREPL 1.0.0 (client, cmdline and server)
#   libdata-json-clojure  JSON for test/interop/nrepl-client.clj's steps/output
# Idempotent and non-interactive: does nothing when everything is present, runs
# `apt-get update` only when a package is not installable from the current lists.
# Ends with one line: what it found (java, clojure, nrepl jar paths, classpath).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=clojure-env.sh
. "$here/clojure-env.sh"

PKGS=(clojure libnrepl-clojure libdata-json-clojure)

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=(sudo -n); else
    echo "install-clojure.sh: not root and no sudo: run as root" >&2; exit 1
  fi
fi

installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]; }
installable() {
  local cand
  cand=$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2}')
  [ -n "$cand" ] && [ "$cand" != "(none)" ]
}
jars_present() {
  local j
  for j in $NREPL_TS_CLOJURE_JARS; do [ -r "$j" ] || return 1; done
  command -v java >/dev/null 2>&1
}

missing=()
for p in "${PKGS[@]}"; do installed "$p" || missing+=("$p"); done

if [ ${#missing[@]} -gt 0 ] || ! jars_present; then
  need_update=0
  for p in "${PKGS[@]}"; do installable "$p" || need_update=1; done
  if [ $need_update -eq 1 ]; then
    "${SUDO[@]}" apt-get update -qq
  fi
  # --no-install-recommends: skips rlwrap, which the tests do not want anyway
  # (Debian's clojure script wraps an argument-less REPL in rlwrap).
  "${SUDO[@]}" apt-get install -y -qq --no-install-recommends \
    -o DPkg::Lock::Timeout=300 "${PKGS[@]}" >/dev/null
fi

jars_present || { echo "install-clojure.sh: jars or java still missing after install" >&2; exit 1; }

java_bin=$(readlink -f "$(command -v java)")
java_ver=$(java -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')
clj_jar=$(readlink -f /usr/share/java/clojure.jar)
nrepl_jar=$(readlink -f /usr/share/java/nrepl.jar)
echo "install-clojure.sh: java=$java_bin ($java_ver) clojure=$clj_jar nrepl=$nrepl_jar classpath=$NREPL_TS_CLOJURE_CP"
