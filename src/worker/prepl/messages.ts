/**
 * The prepl's message writers: one event → one line of text, either an EDN
 * map as Clojure's io-prepl prints it (`prn`: keyword keys, `, ` between
 * entries) or a JSON object. Pure: values arrive already printed (on the main
 * thread, where they live); this module only frames them.
 *
 * EDN (default), the contract of clojure.core.server/io-prepl:
 *
 *   {:tag :ret, :val "{:a 1}", :ns "user", :ms 2, :form "({a: 1})"}
 *   {:tag :ret, :val "{:via [...] ...}", :ns "user", :form "x()", :exception true}
 *   {:tag :out, :val "hello\n"}      {:tag :err, :val "..."}
 *   {:tag :tap, :val "[1 2]"}
 *
 * `:val` of `:ret`/`:tap` is a string of printed EDN (`read-string` gives the
 * data); of `:out`/`:err`, the text as written.
 *
 * JSON (`{:args [:json]}`): the same events and keys, with the tag as a
 * string. `val` is the text a person reads — util.inspect's, as nREPL
 * values and node:repl show it, or the error's stack text — and `data` is
 * the value (or the exception's Throwable->map) as JSON, left out when JSON
 * cannot carry it:
 *
 *   {"tag":"ret","val":"{ a: 1 }","data":{"a":1},"ns":"user","ms":2,"form":"({a: 1})"}
 */
import { Keyword, ednString, printEdn, dataWithKeywords } from '../../shared/print/edn-print';
import type { ThrowableData } from '../../shared/print/throwable';

/** The wire format of a prepl connection. */
export type PreplFormat = 'edn' | 'json';

/** A printed value: EDN text, or the JSON-mode pair. */
export type PrintedValue = { edn: string } | { text: string; data?: unknown };

/** One prepl event, before framing. */
export type PreplEvent =
  | { tag: 'ret'; value: PrintedValue; ns: string; ms?: number; form?: string; exception?: boolean }
  | { tag: 'out'; text: string }
  | { tag: 'err'; text: string }
  | { tag: 'tap'; value: PrintedValue };

/** Frames one event as one line (ending in "\n") of the given format. */
export function formatMessage(event: PreplEvent, format: PreplFormat): string {
  return format === 'edn' ? ednMessage(event) : jsonMessage(event);
}

/** The EDN value of an exception (`:val` of an exceptional `:ret`). */
export function ednThrowable(data: ThrowableData): PrintedValue {
  return { edn: printEdn(dataWithKeywords(data)) };
}

/** The JSON value of an exception: the error text to read, and its data. */
export function jsonThrowable(data: ThrowableData, text: string): PrintedValue {
  return { text, data };
}

function ednMessage(event: PreplEvent): string {
  const entries: string[] = [`:tag :${event.tag}`];
  if (event.tag === 'out' || event.tag === 'err') {
    entries.push(`:val ${ednString(event.text)}`);
  } else {
    entries.push(`:val ${ednString(ednOf(event.value))}`);
    if (event.tag === 'ret') {
      entries.push(`:ns ${ednString(event.ns)}`);
      if (event.ms !== undefined) entries.push(`:ms ${Math.max(0, Math.round(event.ms))}`);
      if (event.form !== undefined) entries.push(`:form ${ednString(event.form)}`);
      if (event.exception) entries.push(':exception true');
    }
  }
  return `{${entries.join(', ')}}\n`;
}

function jsonMessage(event: PreplEvent): string {
  const message: Record<string, unknown> = { tag: event.tag };
  if (event.tag === 'out' || event.tag === 'err') {
    message.val = event.text;
  } else {
    const value = event.value;
    if ('edn' in value) message.val = value.edn;
    else {
      message.val = value.text;
      if (value.data !== undefined) message.data = value.data;
    }
    if (event.tag === 'ret') {
      message.ns = event.ns;
      if (event.ms !== undefined) message.ms = Math.max(0, Math.round(event.ms));
      if (event.form !== undefined) message.form = event.form;
      if (event.exception) message.exception = true;
    }
  }
  // JSON.stringify escapes line breaks and lone surrogates; U+2028/9 too, for splitters that count them as line ends.
  const text = JSON.stringify(message, (_k, v: unknown) => (v instanceof Keyword ? v.name : v));
  return `${text.replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`)}\n`;
}

function ednOf(value: PrintedValue): string {
  return 'edn' in value ? value.edn : ednString(value.text);
}
