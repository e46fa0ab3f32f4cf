/**
 * The main-thread half of `tap` (eval/tap.ts): while prepl clients are
 * connected, a tapped value is printed — at the call, as it is now, only in
 * the formats someone reads — and posted to the worker, which hands it to
 * every prepl client (accept/prepl.ts). The worker reports the listener
 * counts through the `tap-listeners` notification (seam/calls.ts).
 */
import type { ToWorker } from '../../seam/channel';
import { currentContext } from './context';
import { printEdn } from '../../shared/print/edn-print';
import { printPreplJson } from '../../shared/print/print';
import { setTapSender } from './tap';

/** Listener counts per format, as the worker reports them. */
export interface TapListeners {
  /** Host connection number the printed taps are addressed to. */
  conn: number;
  edn: number;
  json: number;
}

/** Installs (or, with no listeners, removes) the sender of taps. */
export function setTapListeners(listeners: TapListeners, post: (m: ToWorker) => void): void {
  if (listeners.edn + listeners.json === 0) {
    setTapSender(undefined);
    return;
  }
  setTapSender((value) => {
    const printed: { edn?: string; json?: string } = {};
    if (listeners.edn > 0) printed.edn = printEdn(value);
    if (listeners.json > 0) printed.json = printPreplJson(value);
    // What an evaluation wrote before tapping goes out before the tap.
    currentContext()?.emitter.flush();
    post({ t: 'evalReply', call: 0, events: [{ conn: listeners.conn, tap: printed }], final: false });
  });
}
