;; The reference nREPL server (Debian libnrepl-clojure) with TCP_NODELAY on
;; accepted sockets, so the benchmark compares protocol work, not Nagle's
;; algorithm meeting delayed ACKs (which costs the stock server ~40 ms per reply).
(require '[nrepl.server :as server] '[nrepl.transport :as transport])
(let [s (server/start-server
          :bind "127.0.0.1" :port 0
          :transport-fn (fn [^java.net.Socket sock]
                          (.setTcpNoDelay sock true)
                          (transport/bencode sock)))]
  (println (str "nREPL server started on port " (:port s) " on host 127.0.0.1 - nrepl://127.0.0.1:" (:port s)))
  (flush)
  @(promise))
