#!/usr/bin/env bash
# Proves the interop drivers in test/interop/ against servers from Debian
# itself (no nrepl-ts involved): the reference nREPL 1.0.0 server from
# libnrepl-clojure and Clojure 1.11's own io-prepl socket server, with Clojure
# code instead of JavaScript. Prints each driver's duration (JVM start-up
# included). Exit 0 only if all three drivers succeed.
#   bash scripts/install-clojure.sh && bash scripts/interop-selftest.sh [-v]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=clojure-env.sh
. "$here/clojure-env.sh"
verbose=0; [ "${1:-}" = "-v" ] && verbose=1

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
wait_for_line() { # file regex timeout-s
  local i
  for ((i = 0; i < $3 * 10; i++)); do
    grep -qE "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "interop-selftest: timed out waiting for /$2/ in $1:" >&2; cat "$1" >&2; return 1
}
java_cp() { nrepl_ts_java "$@"; }

# --- reference nREPL server (cwd = temp dir: it writes .nrepl-port there) ---
t=$(now)
(cd "$work" && NREPL_CONFIG_DIR="$work/none" exec "$NREPL_TS_JAVA" -Dfile.encoding=UTF-8 -cp "$NREPL_TS_CLOJURE_CP" \
  clojure.main -m nrepl.cmdline --port 0 --bind 127.0.0.1 >"$work/nrepl.out" 2>"$work/nrepl.err") &
pids+=($!)
wait_for_line "$work/nrepl.out" 'started on port [0-9]+' 60
nport=$(sed -nE 's/.*started on port ([0-9]+).*/\1/p' "$work/nrepl.out")
echo "reference nREPL server up on port $nport in $(secs "$t" "$(now)") s"

# --- Clojure prepl server ---
t=$(now)
(exec "$NREPL_TS_JAVA" -Dfile.encoding=UTF-8 -cp "$NREPL_TS_CLOJURE_CP" clojure.main -e \
  "(let [s (clojure.core.server/start-server {:name \"p\" :port 0 :address \"127.0.0.1\" :accept 'clojure.core.server/io-prepl})]
     (println \"prepl port\" (.getLocalPort s)) (flush) @(promise))" >"$work/prepl.out" 2>"$work/prepl.err") &
pids+=($!)
wait_for_line "$work/prepl.out" '^prepl port [0-9]+' 60
pport=$(awk '/^prepl port/ {print $3}' "$work/prepl.out")
echo "io-prepl server up on port $pport in $(secs "$t" "$(now)") s"

fail=0

# --- 1. nrepl-client.clj: the scripted conversation ---
t=$(now)
if java_cp clojure.main "$root/test/interop/nrepl-client.clj" 127.0.0.1 "$nport" \
     --steps "$root/test/interop/steps/clojure-reference.edn" --timeout-ms 10000 >"$work/client.jsonl"; then
  res=ok; else res="FAILED (exit $?)"; fail=1; fi
echo "nrepl-client.clj: $res, $(grep -c '"type":"step"' "$work/client.jsonl") steps in $(secs "$t" "$(now)") s"
{ [ $verbose -eq 1 ] || [ "$res" != ok ]; } && cat "$work/client.jsonl"
grep -q '"type":"summary","ok":true' "$work/client.jsonl" || fail=1

# --- 2. nrepl-cmdline.sh: forms piped on stdin ---
t=$(now)
if printf '(+ 1 2)\n"abc"\n(println "hi")\n' | "$root/test/interop/nrepl-cmdline.sh" 127.0.0.1 "$nport" >"$work/cmdline.out" 2>"$work/cmdline.err"; then
  res=ok; else res="FAILED (exit $?)"; fail=1; fi
if ! grep -q '^user=> 3$' "$work/cmdline.out" || ! grep -q '^user=> "abc"$' "$work/cmdline.out" \
   || ! grep -q '^user=> hi$' "$work/cmdline.out"; then
  res="FAILED (unexpected output)"; fail=1
fi
echo "nrepl-cmdline.sh: $res in $(secs "$t" "$(now)") s"
{ [ $verbose -eq 1 ] || [ "$res" != ok ]; } && cat "$work/cmdline.out" "$work/cmdline.err"

# --- 3. remote-prepl.clj ---
t=$(now)
if java_cp clojure.main "$root/test/interop/remote-prepl.clj" 127.0.0.1 "$pport" 3 \
     --code '(+ 1 1)' --code '(println "hi") (/ 1 0)' >"$work/prepl.edn" 2>"$work/prepl.stderr"; then
  res=ok; else res="FAILED (exit $?)"; fail=1; fi
if ! grep -q '^{:tag :ret, :val 2,' "$work/prepl.edn" || ! grep -q '^{:tag :out, :val "hi\\n"}' "$work/prepl.edn" \
   || ! grep -q ':exception true' "$work/prepl.edn"; then
  res="FAILED (unexpected output)"; fail=1
fi
echo "remote-prepl.clj: $res in $(secs "$t" "$(now)") s"
{ [ $verbose -eq 1 ] || [ "$res" != ok ]; } && cut -c1-200 "$work/prepl.edn" && cat "$work/prepl.stderr"

exit $fail
