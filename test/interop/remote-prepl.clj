;; Talk to a prepl server with Clojure's own client, clojure.core.server/remote-prepl.
;;
;; Usage (classpath: see scripts/install-clojure.sh, test/helpers/clojure.ts):
;;   java -cp "$CP" clojure.main test/interop/remote-prepl.clj HOST PORT N \
;;        [--code TEXT]... [--timeout-ms MS] [--json]
;;
;; Source text: every --code TEXT (each followed by a newline), or, without
;; --code, all of stdin. It is forwarded VERBATIM: remote-prepl copies the
;; characters of its in-reader to the socket (in chunks of up to 1024 chars)
;; and never reads them as Clojure.
;;
;; Output (stdout): every map remote-prepl hands to its out-fn, one per line,
;;   default: with prn (EDN), exactly as remote-prepl produced it, i.e. :val of
;;            :ret/:tap already passed through read-string;
;;   --json:  {"tag":"ret","val":<JSON-ified val>,"valEdn":"<pr-str of val>",
;;             "valType":"java.lang.Long","valRaw":"<string the server sent>",
;;             "ns":..,"ms":..,"form":..,"exception":true?}
;;            (keywords inside val become ":kw" strings, symbols plain strings).
;; It stops after N maps with :tag :ret. A one-line summary goes to stderr.
;; Exit: 0 = saw N :ret; 1 = timeout or server closed first;
;;       2 = bad usage / cannot connect; 3 = the server sent text the Clojure
;;       reader could not read as a message map (remote-prepl reads each message
;;       with `read`, so the server must print EDN maps).
(ns nrepl-ts.interop.remote-prepl
  (:require [clojure.core.server :as server]
            [clojure.data.json :as json]
            [clojure.string :as str]))

(defn usage! [msg]
  (binding [*out* *err*]
    (println (str "remote-prepl.clj: " msg))
    (println "usage: remote-prepl.clj HOST PORT N [--code TEXT]... [--timeout-ms MS] [--json]"))
  (System/exit 2))

(defn parse-args [args]
  (loop [opts {:codes [] :timeout-ms 10000 :json? false :positional []}
         [a & more :as args] args]
    (cond
      (empty? args) opts
      (= a "--code") (do (when (empty? more) (usage! "--code needs a value"))
                         (recur (update opts :codes conj (first more)) (rest more)))
      (= a "--timeout-ms") (recur (assoc opts :timeout-ms (Long/parseLong (first more))) (rest more))
      (= a "--json") (recur (assoc opts :json? true) more)
      (str/starts-with? a "--") (usage! (str "unknown option " a))
      :else (recur (update opts :positional conj a) more))))

(defn jsonable [x]
  (cond
    (or (nil? x) (boolean? x) (string? x)) x
    (or (instance? Long x) (instance? Integer x)) x
    (instance? Double x) (if (or (Double/isNaN x) (Double/isInfinite x)) (pr-str x) x) ; "##NaN"
    (keyword? x) (str x)
    (symbol? x) (str x)
    (map? x) (into {} (map (fn [[k v]] [(if (keyword? k) (subs (str k) 1) (pr-str k)) (jsonable v)])) x)
    (coll? x) (mapv jsonable x)
    :else (pr-str x)))

(defn source-reader
  "A Reader that yields src once and then blocks forever (never EOF).
  remote-prepl closes its socket reader as soon as its in-reader reports EOF,
  and that close blocks on the lock its own reader thread holds while waiting
  for the server (BufferedReader), so remote-prepl would never return: we run
  it on a daemon thread and exit from the main thread instead."
  ^java.io.Reader [^String src]
  (let [pos (atom 0)
        read3 (fn [^chars cbuf off len]
                (let [p @pos n (.length src)]
                  (if (< p n)
                    (let [k (min (long len) (- n p))]
                      (.getChars src (int p) (int (+ p k)) cbuf (int off))
                      (swap! pos + k)
                      (int k))
                    (do @(promise) (int -1)))))]
    (proxy [java.io.Reader] []
      (read
        ([] (let [a (char-array 1) n (read3 a 0 1)] (if (neg? n) -1 (int (aget a 0)))))
        ([cbuf] (read3 cbuf 0 (alength ^chars cbuf)))
        ([cbuf off len] (read3 cbuf off len)))
      (close [] nil))))

(defn -main [& args]
  (let [{:keys [positional codes timeout-ms json?]} (parse-args args)
        [host port n] positional
        _ (when-not (and host port n) (usage! "HOST, PORT and N are required"))
        n (Long/parseLong n)
        src (if (seq codes) (apply str (map #(str % "\n") codes)) (slurp *in*))
        t0 (System/currentTimeMillis)
        finished (promise)          ; :done | :eof | :read-error
        rets (atom 0)
        raw-val (atom nil)
        out-fn (fn [m]
                 (if json?
                   (println (json/write-str
                             (cond-> (jsonable (update m :tag #(if (keyword? %) (name %) %)))
                               (contains? m :val) (assoc "valEdn" (pr-str (:val m))
                                                         "valType" (some-> (:val m) class .getName))
                               (and (#{:ret :tap} (:tag m)) @raw-val) (assoc "valRaw" @raw-val))
                             :escape-slash false))
                   (prn m))
                 (flush)
                 (reset! raw-val nil)
                 (when (and (= :ret (:tag m)) (>= (swap! rets inc) n))
                   (deliver finished :done)))
        ;; Same as remote-prepl's default valf (read-string); only remembers
        ;; the raw text for --json. If it throws, remote-prepl itself puts an
        ;; ex->data map in :val and adds :exception true.
        valf (fn [s] (reset! raw-val s) (read-string s))
        ;; Same as the default readf (#(read %1 false %2)); only notices EOF and
        ;; unreadable messages so we do not wait for the timeout.
        readf (fn [rd eof]
                (try
                  (let [m (read rd false eof)]
                    (when (identical? m eof) (deliver finished :eof))
                    m)
                  (catch Throwable e
                    (when-not (realized? finished)
                      (binding [*out* *err*]
                        (println "remote-prepl.clj: cannot read the server's message:" (.getMessage e)))
                      (deliver finished :read-error))
                    eof)))]
    (doto (Thread.
           ^Runnable
           (fn []
             (try
               (server/remote-prepl host port (source-reader src) out-fn :valf valf :readf readf)
               (catch java.net.ConnectException e
                 (binding [*out* *err*]
                   (println "remote-prepl.clj: cannot connect to" (str host ":" port) (.getMessage e)))
                 (deliver finished :connect-error))
               (catch Throwable e
                 (binding [*out* *err*] (println "remote-prepl.clj: remote-prepl failed:" (str e)))
                 (deliver finished :eof))))
           "remote-prepl-main")
      (.setDaemon true)
      (.start))
    (let [how (deref finished timeout-ms :timeout)
          ms (- (System/currentTimeMillis) t0)]
      (binding [*out* *err*]
        (println (format "remote-prepl.clj: %s after %d of %d :ret in %d ms" (name how) @rets n ms)))
      (flush)
      (System/exit (case how :done 0 :read-error 3 :connect-error 2 1)))))

(apply -main *command-line-args*)
