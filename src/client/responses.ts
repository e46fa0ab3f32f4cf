/**
 * Pure helpers over the responses of one nREPL request: status as a set,
 * merging, and the summary of an eval. No I/O; shared by the client and
 * anything that inspects responses (conformance tests, the CLI).
 */
import type { BValue } from '../shared/bencode/bencode';

/** A decoded response. The common fields are typed; anything else is a decoded bencode value. */
export interface Response {
  id?: string;
  session?: string;
  status?: string[];
  value?: string;
  ns?: string;
  out?: string;
  err?: string;
  ex?: string;
  [key: string]: BValue | undefined;
}

/** What `eval`/`loadFile` collected from their responses. */
export interface EvalResult {
  /** Every `value`, in order (chunks, when the server streams values). */
  values: string[];
  /** All `out` text, concatenated. */
  out: string;
  /** All `err` text, concatenated. */
  err: string;
  /** `ex` of the eval error, if any. */
  ex?: string;
  /** `root-ex` of the eval error, if any. */
  rootEx?: string;
  /** The last `ns` seen. */
  ns?: string;
  /** Union of all statuses, first-seen order. */
  status: string[];
  responses: Response[];
}

/** True when `response.status` (a list used as a set) contains `status`. */
export function hasStatus(response: Response, status: string): boolean {
  return Array.isArray(response.status) && response.status.includes(status);
}

/** Union of the statuses of all responses, in first-seen order. */
export function statusOf(responses: readonly Response[]): string[] {
  const seen = new Set<string>();
  for (const r of responses) if (Array.isArray(r.status)) for (const s of r.status) seen.add(String(s));
  return [...seen];
}

/** Merges responses into one dict: later keys win, except `status`, which is the union. */
export function mergeResponses(responses: readonly Response[]): Response {
  const merged: Response = Object.assign({}, ...responses);
  merged.status = statusOf(responses);
  return merged;
}

/** Collects values, output, error and statuses from the responses of an `eval` or `load-file`. */
export function evalResult(responses: Response[]): EvalResult {
  const result: EvalResult = { values: [], out: '', err: '', status: statusOf(responses), responses };
  for (const r of responses) {
    if (typeof r.value === 'string') result.values.push(r.value);
    if (typeof r.out === 'string') result.out += r.out;
    if (typeof r.err === 'string') result.err += r.err;
    if (typeof r.ex === 'string') result.ex = r.ex;
    if (typeof r['root-ex'] === 'string') result.rootEx = r['root-ex'];
    if (typeof r.ns === 'string') result.ns = r.ns;
  }
  return result;
}
