#!/usr/bin/env bash
# Runs the reference nREPL command-line client (nrepl 1.0.0, Debian's
# libnrepl-clojure) against HOST PORT, non-interactively: forms come from stdin.
#
#   test/interop/nrepl-cmdline.sh HOST PORT < input
#   (= cd / && LC_ALL=C.UTF-8 java -Dfile.encoding=UTF-8 -XX:TieredStopAtLevel=1 \
#        -cp "$CP" clojure.main -m nrepl.cmdline \
#        --connect --host HOST --port PORT)
#
# What it does with the input (nrepl/cmdline.clj, run-repl-with-transport):
#   - clones a session first (nrepl.core/new-session: :new-session must be in the
#     FIRST response to the clone), then for every form
#     (read *in*) -> {:op "eval" :code (pr-str form) :session s}, waits for
#     status done on that id with NO timeout (a missing done hangs it forever).
#   - The code sent is the form RE-PRINTED by the Clojure reader, not the text.
#     Inputs that are valid JavaScript and survive unchanged (checked against a
#     JS evaluator):  1   "abc"   "a\nb"   x=1   x+1   x*10   x-1   x<2   (x)
#     Math.PI   null   undefined   true  -- i.e. numbers, double-quoted strings,
#     and identifier-ish expressions without spaces, '(', ',' or a leading digit.
#     Changed: 0x10 -> 16, 1.5e3 -> 1500.0, [1, 2] -> [1 2] (commas are
#     whitespace), 'abc' -> (quote abc'), `a b` -> two evals "a" and "b".
#     Fatal: 1+1 (NumberFormatException: Invalid number, exit 1).
#     Client-side, never sent: exit  quit  (exit)  (quit).
#   - stdout: 5 banner lines (nREPL 1.0.0 / Clojure 1.11.1 / JVM / Interrupt /
#     Exit), then for each form the prompt "NS=> " (no newline; NS = last :ns the
#     server sent, initially user) followed by each :value + "\n", :out and :err
#     as printed; a final prompt without newline at EOF. Exit 0 on EOF.
#   - .nrepl.edn in the cwd and ~/.nrepl/nrepl.edn are merged into the options,
#     so we run it from / with NREPL_CONFIG_DIR pointing nowhere. exec: a signal
#     to this script's pid reaches the JVM itself.
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: $0 HOST PORT < forms" >&2
  exit 2
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../../scripts/clojure-env.sh
. "$here/../../scripts/clojure-env.sh"

cd /
NREPL_CONFIG_DIR=/nonexistent/nrepl-ts-no-config exec "$NREPL_TS_JAVA" -Dfile.encoding=UTF-8 $NREPL_TS_JAVA_OPTS \
  -cp "$NREPL_TS_CLOJURE_CP" clojure.main -m nrepl.cmdline --connect --host "$1" --port "$2"
