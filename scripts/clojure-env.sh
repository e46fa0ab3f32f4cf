# Sourced by the interop scripts: where Debian puts the Clojure tooling.
# Keep in step with test/helpers/clojure.ts (CLOJURE_JARS).
#
#   clojure.jar          libclojure-java 1.11.1  (its manifest Class-Path already
#                        names spec.alpha and core.specs.alpha; listed anyway)
#   spec.alpha.jar       libspec-alpha-clojure   (clojure.core needs it at start-up)
#   core.specs.alpha.jar libcore-specs-alpha-clojure
#   nrepl.jar            libnrepl-clojure 1.0.0  (source only, compiled at load: ~1 s)
#   data.json.jar        libdata-json-clojure    (JSON in/out of nrepl-client.clj)
#
# NREPL_TS_CLOJURE_CP overrides the whole classpath, NREPL_TS_JAVA the java binary,
# NREPL_TS_JAVA_OPTS the JVM flags for the short-lived clients: C1 only
# (-XX:TieredStopAtLevel=1) halves their start-up (~2.5 s -> ~1.3 s here);
# NREPL_TS_JAVA_OPTS= (set, empty) turns that off.
NREPL_TS_CLOJURE_JARS="/usr/share/java/clojure.jar /usr/share/java/spec.alpha.jar /usr/share/java/core.specs.alpha.jar /usr/share/java/nrepl.jar /usr/share/java/data.json.jar"
if [ -z "${NREPL_TS_CLOJURE_CP:-}" ]; then
  NREPL_TS_CLOJURE_CP=$(echo "$NREPL_TS_CLOJURE_JARS" | tr ' ' ':')
fi
NREPL_TS_JAVA=${NREPL_TS_JAVA:-java}
NREPL_TS_JAVA_OPTS=${NREPL_TS_JAVA_OPTS--XX:TieredStopAtLevel=1}
export NREPL_TS_CLOJURE_CP NREPL_TS_JAVA NREPL_TS_JAVA_OPTS
# JDK 17 takes its default charset (sockets, stdin/stdout, and argv) from the
# locale: under POSIX/C, remote-prepl would send "é" as "?". Always UTF-8.
export LC_ALL=C.UTF-8
nrepl_ts_java() {
  # shellcheck disable=SC2086 # NREPL_TS_JAVA_OPTS is a list of flags
  "$NREPL_TS_JAVA" -Dfile.encoding=UTF-8 $NREPL_TS_JAVA_OPTS -cp "$NREPL_TS_CLOJURE_CP" "$@"
}
