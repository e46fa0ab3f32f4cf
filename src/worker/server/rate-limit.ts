/**
 * Rate-limited log lines: the first event of a kind is written at once, the
 * ones that follow within the interval are only counted, and one summary
 * line per interval reports how many there were. A flood of refused
 * connections thus costs the host's stderr at most one line per interval per
 * kind, instead of one line per connection.
 *
 * It knows nothing about sockets or servers; callers choose the keys and
 * word the lines. Clock and timer are injectable for tests; the default
 * timer is unref'd, so a pending summary never keeps the process alive.
 */

/** A scheduled call that can be cancelled. */
export interface Timer {
  cancel(): void;
}

/** Options of a RateLimitedLog. */
export interface RateLimitOptions {
  intervalMs: number;
  write: (line: string) => void;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => Timer;
}

/** Words the summary: `count` events were not logged during the last `seconds`. */
export type Summary = (count: number, seconds: number) => string;

interface KeyState {
  windowEnd: number;
  suppressed: number;
  summary: Summary;
  timer?: Timer;
}

function unrefTimer(fn: () => void, ms: number): Timer {
  const handle = setTimeout(fn, ms);
  handle.unref();
  return { cancel: () => clearTimeout(handle) };
}

/** One instance per owner (e.g. per registry); keys separate the kinds of events. */
export class RateLimitedLog {
  private readonly states = new Map<string, KeyState>();
  private readonly now: () => number;
  private readonly setTimer: (fn: () => void, ms: number) => Timer;

  constructor(private readonly opts: RateLimitOptions) {
    this.now = opts.now ?? Date.now;
    this.setTimer = opts.setTimer ?? unrefTimer;
  }

  /**
   * Records one event of kind `key`: writes `line` if this kind has been
   * quiet for a whole interval, otherwise counts it for the summary that
   * `summary` words at the end of the current interval.
   */
  note(key: string, line: string, summary: Summary): void {
    const state = this.states.get(key);
    if (state === undefined) {
      this.opts.write(line);
      this.states.set(key, { windowEnd: this.now() + this.opts.intervalMs, suppressed: 0, summary });
      this.schedule(key);
      return;
    }
    state.suppressed += 1;
    state.summary = summary;
  }

  private schedule(key: string): void {
    const state = this.states.get(key)!;
    state.timer = this.setTimer(() => this.endWindow(key), Math.max(0, state.windowEnd - this.now()));
  }

  /** At the end of a window: summarize and keep limiting if events came, else forget the key. */
  private endWindow(key: string): void {
    const state = this.states.get(key);
    if (state === undefined) return;
    if (state.suppressed === 0) {
      this.states.delete(key);
      return;
    }
    this.opts.write(state.summary(state.suppressed, this.seconds()));
    state.suppressed = 0;
    state.windowEnd = this.now() + this.opts.intervalMs;
    this.schedule(key);
  }

  private seconds(): number {
    return Math.round(this.opts.intervalMs / 1000);
  }
}
