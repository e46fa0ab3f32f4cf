/**
 * Errors as data, shaped like Clojure's `Throwable->map` (plus `:phase`, as
 * `clojure.main/ex->data` adds it), so the prepl can report an exception the
 * way Clojure's prepl does:
 *
 *   {:via [{:type "TypeError" :message "x is not a function" :at ["" "f" "/app/x.js" 3]}]
 *    :trace [["" "f" "/app/x.js" 3] ["Object" "<anonymous>" "/app/[nrepl-eval]" 1]]
 *    :cause "x is not a function"
 *    :phase :execution}
 *
 * `:via` lists the error and then its `.cause` chain; `:cause` is the
 * innermost message. Types are class names as strings (JavaScript classes are
 * not Clojure symbols). A trace element is `[receiver function file line]`,
 * read from a V8 stack line; unknown parts are "" / nil / -1. Only the outer
 * error carries `:at` (causes arrive without their stacks).
 *
 * Pure: it builds plain data; printing is edn-print.ts's and messages.ts's job.
 */

/** An error as the evaluator reports it (eval/evaluate.ts `error` event). */
export interface ErrorReport {
  ex: string;
  message: string;
  stack?: string;
  causes: Array<{ ex: string; message: string }>;
}

/** `[receiver function file line]`, as Clojure's StackTraceElement->vec. */
export type TraceElement = [string, string, string | null, number];

/** One entry of `:via`. `data` keys are keyword names (`clojure.error/line`), as Clojure's ex-data. */
export interface ViaEntry {
  type: string;
  message?: string;
  data?: Record<string, unknown>;
  at?: TraceElement;
}

/** The data of one exception. `phase` is a keyword name (`execution`, `read-source`). */
export interface ThrowableData {
  via: ViaEntry[];
  trace: TraceElement[];
  cause?: string;
  phase?: string;
}

const FRAME = /^\s*at (?:(.+?) \((.+)\)|(.+))$/;
const LOCATION = /^(.*):(\d+):\d+$/;

/** Reads the `at …` lines of a V8 stack into trace elements (other lines are skipped). */
export function parseStack(stack: string | undefined): TraceElement[] {
  if (!stack) return [];
  const trace: TraceElement[] = [];
  for (const line of stack.split('\n')) {
    const m = FRAME.exec(line);
    if (!m) continue;
    const where = m[2] ?? m[3];
    let name = (m[1] ?? '').replace(/^async /, '').replace(/^new /, '').replace(/ \[as [^\]]+\]$/, '');
    let receiver = '';
    const dot = name.lastIndexOf('.');
    if (dot > 0) {
      receiver = name.slice(0, dot);
      name = name.slice(dot + 1);
    }
    const loc = LOCATION.exec(where);
    trace.push([receiver, name || '<anonymous>', loc ? loc[1] : where === 'native' ? null : where, loc ? Number(loc[2]) : -1]);
  }
  return trace;
}

/**
 * The data of a syntax error found before evaluation (`:phase :read-source`),
 * with the position as `clojure.main/ex-triage` reads it, so Clojure tools
 * print "Syntax error reading source at (2:5)."
 */
export function readErrorData(error: { name: string; message: string; line: number; column: number }): ThrowableData {
  const data = { 'clojure.error/line': error.line, 'clojure.error/column': error.column };
  const message = `${error.message} (${error.line}:${error.column})`;
  return { via: [{ type: error.name, message, data }], trace: [], cause: message, phase: 'read-source' };
}

/** The `Throwable->map` of a reported error; `phase` adds `:phase` (omit it for a returned, not thrown, error). */
export function throwableData(report: ErrorReport, phase?: string): ThrowableData {
  const trace = parseStack(report.stack);
  const first: ViaEntry = { type: report.ex };
  if (report.message !== '') first.message = report.message;
  if (trace.length > 0) first.at = trace[0];
  const via: ViaEntry[] = [first];
  for (const cause of report.causes) {
    const entry: ViaEntry = { type: cause.ex };
    if (cause.message !== '') entry.message = cause.message;
    via.push(entry);
  }
  const data: ThrowableData = { via, trace };
  const root = via[via.length - 1];
  if (root.message !== undefined) data.cause = root.message;
  if (phase !== undefined) data.phase = phase;
  return data;
}
