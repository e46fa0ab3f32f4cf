#!/usr/bin/env bash
# Installs the benchmark peers: nbb (npm) into bench/.peers, and the reference
# Clojure nREPL server (Debian clojure + libnrepl-clojure) via scripts/install-clojure.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
npm install --no-audit --no-fund --no-save --prefix bench/.peers nbb@1.6.214 >/dev/null
bash scripts/install-clojure.sh
echo "peers installed: $(ls bench/.peers/node_modules/nbb/cli.js) and the Debian reference nREPL server"
