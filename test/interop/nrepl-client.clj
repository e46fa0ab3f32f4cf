;; Scripted conversation with an nREPL server, driven by the REFERENCE client
;; library (nrepl 1.0 from Debian's libnrepl-clojure): nrepl.core/connect,
;; nrepl.core/client, nrepl.core/message, nrepl.core/new-session,
;; nrepl.core/client-session and nrepl.core/combine-responses.
;;
;; Usage (classpath: see scripts/install-clojure.sh, test/helpers/clojure.ts):
;;   java -cp "$CP" clojure.main test/interop/nrepl-client.clj HOST PORT \
;;        [--steps FILE.json|FILE.edn|-] [--timeout-ms N] [--set NAME=VALUE]... \
;;        [--no-expect] [--stop-on-failure]
;;   java -cp "$CP" clojure.main test/interop/nrepl-client.clj --print-default-steps
;;        (the built-in JavaScript conversation below, as JSON, to copy and edit)
;;
;; Output (stdout): one JSON object per line.
;;   {"type":"step","name":..,"kind":..,"ok":true|false,"ms":..,"sent":[..],
;;    "responses":[raw response maps ..],"combined":{nrepl/combine-responses ..},
;;    "errors":[..], "vars":{..}, ...kind-specific keys}
;;   {"type":"summary","ok":..,"steps":N,"failedSteps":[..],"ms":..}
;; Exit code: 0 if every step is ok, 1 if any step failed, 2 on bad usage or
;; when the connection could not be made / was lost.
;;
;; A step (JSON object or EDN map; JSON keys may be camelCase or kebab-case):
;;   name        string, printed back.
;;   kind        "message" (default) | "new-session" | "interrupt" | "stdin" | "close" | "sleep"
;;   msg         the request map. Sent VERBATIM (code strings are never read by
;;               the Clojure reader). String values "$var" are replaced by the
;;               variable var (see save / --set); a missing variable is an error.
;;               JSON true/false are sent as "true"/"false" (bencode has no
;;               booleans), null values are dropped. :id is added if absent.
;;   save        {"var": "response-key"}: after the step, var := combined[key]
;;               (first element if it is a vector, e.g. "value").
;;   expect      optional checks on the combined response (ignored with --no-expect):
;;                 "status": [..]   every listed status must be present
;;                 "key": "text"    combined string (or joined vector) contains text
;;                 "key": [..]      combined vector equals it (e.g. "value": ["2"])
;;                 "key": 42        equals
;;                 "absent": [..]   these keys must not be in the combined response
;;   kind "new-session": calls (nrepl/new-session client [:clone "$x"]) -- the
;;               reference helper, which only looks at the FIRST response; keys:
;;               clone (optional session to clone), saveAs (var, default "session").
;;   kind "interrupt": sends msg (an eval), sleeps interruptAfterMs (default 500),
;;               then sends {:op "interrupt" :session <msg's session>
;;               :interrupt-id <msg's id>} merged with interruptMsg, then collects
;;               both. expect applies to the eval, expectInterrupt to the interrupt.
;;   kind "stdin": sends msg, and each time a response carries status need-input
;;               sends {:op "stdin" :stdin <next of "stdin" list> :session ..}.
;;               expectStdin applies to each stdin op's combined response.
;;   kind "close": (nrepl/client-session client :session s) then sends msg
;;               (default {:op "close"}); that seq ends on "session-closed" (not on
;;               "done"), like nrepl.cmdline / REPL-y would see it. Key: session.
;;   kind "sleep": ms.
;;
;; The same script talks to the Clojure reference server when given
;; test/interop/steps/clojure-reference.edn (used to prove the tooling).
(ns nrepl-ts.interop.nrepl-client
  (:require [clojure.data.json :as json]
            [clojure.edn :as edn]
            [clojure.string :as str]
            [nrepl.core :as nrepl]))

;; ---------------------------------------------------------------------------
;; Default conversation: JavaScript for the nrepl-ts server. Placeholders; the
;; TS tests usually pass their own list with --steps.
(def default-steps
  [{:name "describe" :msg {:op "describe"}
    :expect {:status ["done"]}}
   {:name "clone" :msg {:op "clone"}
    :save {:session :new-session}
    :expect {:status ["done"]}}
   {:name "eval-value" :msg {:op "eval" :code "1+1" :session "$session"}
    :expect {:value ["2"] :status ["done"]}}
   {:name "eval-out-err" :msg {:op "eval" :code "console.log('hi'); console.error('oops'); 42" :session "$session"}
    :expect {:out "hi" :err "oops" :value ["42"] :status ["done"]}}
   {:name "eval-error" :msg {:op "eval" :code "throw new Error('boom')" :session "$session"}
    :expect {:status ["eval-error" "done"] :err "boom"}}
   {:name "interrupt" :kind "interrupt" :interrupt-after-ms 500
    :msg {:op "eval" :code "while(true){}" :session "$session"}
    :expect {:status ["interrupted" "done"]}
    :expect-interrupt {:status ["done"]}}
   {:name "eval-after-interrupt" :msg {:op "eval" :code "'alive'" :session "$session"}
    :expect {:value ["'alive'"] :status ["done"]}}
   {:name "second-session" :kind "new-session" :save-as "session2"}
   {:name "ls-sessions" :msg {:op "ls-sessions"}
    :expect {:status ["done"]}}
   {:name "completions" :msg {:op "completions" :prefix "consol" :session "$session"}
    :expect {:status ["done"]}}
   {:name "lookup" :msg {:op "lookup" :sym "console" :session "$session"}
    :expect {:status ["done"]}}
   {:name "load-file" :msg {:op "load-file" :file "const loaded = 40 + 2;\nloaded\n"
                            :file-path "/tmp/nrepl-ts-interop.js" :file-name "nrepl-ts-interop.js"
                            :session "$session"}
    :expect {:value ["42"] :status ["done"]}}
   {:name "stdin" :kind "stdin" :stdin ["hello\n"]
    :msg {:op "eval" :code "await $readLine()" :session "$session"}
    :expect {:status ["need-input" "done"] :value ["'hello'"]}
    :expect-stdin {:status ["done"]}}
   {:name "close-second" :kind "close" :session "$session2"
    :expect {:status ["session-closed"]}}
   {:name "close" :kind "close" :session "$session"
    :expect {:status ["session-closed"]}}])

;; ---------------------------------------------------------------------------
;; Options

(defn usage! [msg]
  (binding [*out* *err*]
    (println (str "nrepl-client.clj: " msg))
    (println "usage: nrepl-client.clj HOST PORT [--steps FILE|-] [--timeout-ms N] [--set NAME=VALUE]... [--no-expect] [--stop-on-failure]")
    (println "       nrepl-client.clj --print-default-steps"))
  (System/exit 2))

(defn parse-args [args]
  (loop [opts {:timeout-ms 10000 :vars {} :expect? true :stop-on-failure? false :positional []}
         [a & more :as args] args]
    (cond
      (empty? args) opts
      (= a "--steps") (recur (assoc opts :steps (first more)) (rest more))
      (= a "--timeout-ms") (recur (assoc opts :timeout-ms (Long/parseLong (first more))) (rest more))
      (= a "--set") (let [[k v] (str/split (str (first more)) #"=" 2)]
                      (when-not v (usage! (str "--set needs NAME=VALUE, got " (first more))))
                      (recur (assoc-in opts [:vars k] v) (rest more)))
      (= a "--no-expect") (recur (assoc opts :expect? false) more)
      (= a "--stop-on-failure") (recur (assoc opts :stop-on-failure? true) more)
      (= a "--print-default-steps") (do (println (json/write-str default-steps :escape-slash false))
                                        (System/exit 0))
      (str/starts-with? a "--") (usage! (str "unknown option " a))
      :else (recur (update opts :positional conj a) more))))

(defn kebab [k]
  ;; "interruptAfterMs" -> :interrupt-after-ms ; "file-path" stays.
  (keyword (str/lower-case (str/replace (name k) #"([a-z0-9])([A-Z])" "$1-$2"))))

(defn normalize-step
  "Step keys -> kebab keywords; msg / expect keys -> keywords as written
  (protocol keys are already kebab-case, e.g. file-path, interrupt-id)."
  [step]
  (let [step (into {} (map (fn [[k v]] [(kebab k) v])) step)
        kw-keys (fn [m] (when m (into {} (map (fn [[k v]] [(keyword (name k)) v])) m)))]
    (cond-> step
      (:msg step) (update :msg kw-keys)
      (:interrupt-msg step) (update :interrupt-msg kw-keys)
      (:expect step) (update :expect kw-keys)
      (:expect-interrupt step) (update :expect-interrupt kw-keys)
      (:expect-stdin step) (update :expect-stdin kw-keys)
      (:save step) (update :save (fn [m] (into {} (map (fn [[k v]] [(name k) (keyword (name v))])) m))))))

(defn load-steps [src]
  (let [text (if (= src "-") (slurp *in*) (slurp src))
        data (if (str/ends-with? (str src) ".edn")
               (edn/read-string text)
               (try (json/read-str text)
                    (catch Exception _ (edn/read-string text))))]
    (when-not (sequential? data) (usage! "steps must be a JSON array / EDN vector"))
    (mapv normalize-step data)))

;; ---------------------------------------------------------------------------
;; Output

(defn json-key [k]
  (cond (keyword? k) (subs (str k) 1)   ; keep namespaces: nrepl.middleware.print/print
        :else (str k)))

(def key-order [:type :name :kind :ok :ms :errors :sent :responses :combined])

(defn emit!
  "One JSON line; the keys of key-order first, for people reading the log."
  [m]
  (let [ks (concat (filter #(contains? m %) key-order) (remove (set key-order) (keys m)))]
    (println (json/write-str (apply array-map (mapcat (fn [k] [k (get m k)]) ks))
                             :key-fn json-key :escape-slash false)))
  (flush))

;; ---------------------------------------------------------------------------
;; Conversation machinery

(def vars (atom {}))

(defn subst
  "Replace \"$name\" strings by variables; booleans -> strings; drop nils."
  [x]
  (cond
    (map? x) (into {} (keep (fn [[k v]] (let [v (subst v)] (when-not (nil? v) [k v])))) x)
    (sequential? x) (mapv subst x)
    (and (string? x) (str/starts-with? x "$") (> (count x) 1))
    (let [k (subs x 1)]
      (if (contains? @vars k)
        (get @vars k)
        (throw (ex-info (str "unknown variable " x " (set it with save/saveAs/--set)") {:var k}))))
    (boolean? x) (str x)
    :else x))

(defn with-id [msg]
  (if (:id msg) msg (assoc msg :id (str (java.util.UUID/randomUUID)))))

(defn terminated?
  "nrepl.core/message ends its seq on status done; client-session on session-closed."
  [responses statuses]
  (boolean (some (fn [r] (some (set statuses) (map name (:status r)))) responses)))

(defn check-expect [label expect combined]
  (when expect
    (let [errs (atom [])]
      (doseq [[k want] expect]
        (let [have (get combined k)]
          (cond
            (= k :absent)
            (doseq [a want]
              (when (contains? combined (keyword (name a)))
                (swap! errs conj (str label "key " (name a) " should be absent, got " (pr-str (get combined (keyword (name a))))))))

            (= k :status)
            (let [have (set (map name have))]
              (doseq [s want]
                (when-not (have (name s))
                  (swap! errs conj (str label "status " s " missing, have " (pr-str (sort have)))))))

            (string? want)
            (let [h (if (sequential? have) (apply str have) have)]
              (when-not (and (string? h) (str/includes? h want))
                (swap! errs conj (str label (name k) " should contain " (pr-str want) ", got " (pr-str have)))))

            (sequential? want)
            (when-not (= (vec want) (vec have))
              (swap! errs conj (str label (name k) " should be " (pr-str want) ", got " (pr-str have))))

            :else
            (when-not (= want have)
              (swap! errs conj (str label (name k) " should be " (pr-str want) ", got " (pr-str have)))))))
      @errs)))

(defn collect
  "Realize a (lazy, filtered) response seq from nrepl.core. The seq ends on the
  terminating status, or -- without one -- when no message at all arrived on the
  connection for timeout-ms (that is how nrepl.core/client's response-timeout works)."
  [responses]
  (vec responses))

(defn run-message [client step]
  (let [msg (with-id (subst (:msg step)))
        responses (collect (nrepl/message client msg))]
    {:sent [msg]
     :responses responses
     :combined (nrepl/combine-responses responses)
     :errors (when-not (terminated? responses ["done"])
               [(str "no status done for id " (:id msg) " (response seq ended: timeout or closed)")])}))

(defn run-new-session [client step]
  (let [clone (some-> (:clone step) subst)
        var (or (:save-as step) "session")
        sid (if clone (nrepl/new-session client :clone clone) (nrepl/new-session client))]
    (swap! vars assoc var sid)
    {:sent [(cond-> {:op "clone"} clone (assoc :session clone))]
     :new-session sid
     :combined {:new-session sid}}))

(defn run-interrupt [client step]
  (let [msg (with-id (subst (:msg step)))
        eval-seq (nrepl/message client msg)      ; sent now, realized later
        _ (Thread/sleep (long (or (:interrupt-after-ms step) 500)))
        imsg (with-id (merge {:op "interrupt" :interrupt-id (:id msg)}
                             (when (:session msg) {:session (:session msg)})
                             (subst (:interrupt-msg step))))
        int-seq (nrepl/message client imsg)
        int-responses (collect int-seq)
        eval-responses (collect eval-seq)]
    {:sent [msg imsg]
     :responses eval-responses
     :combined (nrepl/combine-responses eval-responses)
     :interrupt {:responses int-responses
                 :combined (nrepl/combine-responses int-responses)}
     :errors (cond-> []
               (not (terminated? eval-responses ["done"])) (conj "eval: no status done (timeout or closed)")
               (not (terminated? int-responses ["done"])) (conj "interrupt: no status done (timeout or closed)"))
     :expect-errors (check-expect "interrupt: " (:expect-interrupt step)
                                  (nrepl/combine-responses int-responses))}))

(defn run-stdin [client step]
  (let [msg (with-id (subst (:msg step)))
        inputs (atom (seq (subst (vec (:stdin step)))))
        stdin-results (atom [])
        sent (atom [msg])
        ;; Walk the lazy seq with first/rest: destructuring [r & more] would
        ;; realize the NEXT response before we answer need-input (deadlock).
        responses (loop [acc [] s (nrepl/message client msg)]
                    (if-let [s (seq s)]
                      (let [r (first s)]
                        (when (and (some #{"need-input"} (map name (:status r))) (seq @inputs))
                            (let [smsg (with-id (merge {:op "stdin" :stdin (first @inputs)}
                                                       (when (:session msg) {:session (:session msg)})))
                                  _ (swap! inputs next)
                                  _ (swap! sent conj smsg)
                                  rs (collect (nrepl/message client smsg))]
                              (swap! stdin-results conj {:responses rs :combined (nrepl/combine-responses rs)})))
                        (recur (conj acc r) (rest s)))
                      acc))]
    {:sent @sent
     :responses responses
     :combined (nrepl/combine-responses responses)
     :stdin @stdin-results
     :errors (cond-> []
               (not (terminated? responses ["done"])) (conj "eval: no status done (timeout or closed)")
               (seq @inputs) (conj (str "unused stdin inputs " (pr-str (vec @inputs)) " (no need-input seen)")))
     :expect-errors (vec (mapcat #(check-expect "stdin: " (:expect-stdin step) (:combined %)) @stdin-results))}))

(defn run-close [client step]
  (let [session (subst (or (:session step) "$session"))
        msg (with-id (subst (or (:msg step) {:op "close"})))
        session-fn (nrepl/client-session client :session session)
        responses (collect (session-fn msg))]
    {:sent [(assoc msg :session session)]
     :responses responses
     :combined (nrepl/combine-responses responses)
     :errors (when-not (terminated? responses ["session-closed"])
               ["no status session-closed (client-session only stops on it; seq ended by timeout or close)"])}))

(defn run-step [client {:keys [kind] :or {kind "message"} :as step} expect?]
  (let [t0 (System/nanoTime)
        result (try
                 (case (name kind)
                   "message" (run-message client step)
                   "new-session" (run-new-session client step)
                   "interrupt" (run-interrupt client step)
                   "stdin" (run-stdin client step)
                   "close" (run-close client step)
                   "sleep" (do (Thread/sleep (long (:ms step 100))) {})
                   (throw (ex-info (str "unknown step kind " kind) {})))
                 (catch java.net.SocketException e
                   {:errors [(str "connection lost: " (.getMessage e))] :fatal true})
                 (catch Exception e
                   {:errors [(str (.getName (class e)) ": " (.getMessage e))]}))
        _ (doseq [[var k] (:save step)]
            (let [v (get (:combined result) k)]
              (if (nil? v)
                (swap! vars dissoc var)
                (swap! vars assoc var (if (sequential? v) (first v) v)))))
        expect-errors (when expect?
                        (concat (check-expect "" (:expect step) (:combined result))
                                (:expect-errors result)))
        errors (vec (concat (:errors result) expect-errors))
        ms (/ (Math/round (/ (- (System/nanoTime) t0) 1e4)) 100.0)]
    (emit! (merge {:type "step" :name (:name step) :kind (name kind)}
                  (dissoc result :errors :expect-errors :fatal)
                  {:ok (empty? errors) :ms ms :errors errors :vars @vars}))
    {:ok (empty? errors) :fatal (:fatal result)}))

(defn -main [& args]
  (let [{:keys [positional steps timeout-ms expect? stop-on-failure?] :as opts} (parse-args args)
        [host port] positional
        _ (when-not (and host port) (usage! "HOST and PORT are required"))
        steps (if steps (load-steps steps) (mapv normalize-step default-steps))
        _ (reset! vars (:vars opts))
        t0 (System/nanoTime)
        transport (try (nrepl/connect :host host :port (Long/parseLong port))
                       (catch Exception e
                         (emit! {:type "summary" :ok false :steps 0 :failedSteps []
                                 :error (str "cannot connect to " host ":" port ": " (.getMessage e))})
                         (System/exit 2)))
        client (nrepl/client transport timeout-ms)
        results (loop [[s & more] steps acc []]
                  (if-not s
                    acc
                    (let [r (assoc (run-step client s expect?) :name (:name s))
                          acc (conj acc r)]
                      (if (or (:fatal r) (and stop-on-failure? (not (:ok r))))
                        acc
                        (recur more acc)))))
        failed (vec (keep #(when-not (:ok %) (:name %)) results))
        fatal? (some :fatal results)]
    (emit! {:type "summary" :ok (and (empty? failed) (= (count results) (count steps)))
            :steps (count results) :failedSteps failed
            :ms (/ (Math/round (/ (- (System/nanoTime) t0) 1e4)) 100.0)})
    (try (.close ^java.io.Closeable transport) (catch Exception _))
    (shutdown-agents)
    (System/exit (cond fatal? 2 (seq failed) 1 (< (count results) (count steps)) 1 :else 0))))

(apply -main *command-line-args*)
