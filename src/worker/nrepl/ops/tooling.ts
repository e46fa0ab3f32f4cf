/**
 * Ops answered from the host's world without evaluating code: completions,
 * lookup (and the cider-nrepl-shaped complete/info/eldoc aliases), stdin for
 * a waiting eval, and forwarding of the host's own output.
 */
import { stringField, type OpContext, type OpDescriptor } from '../dispatch';
import type { Message } from '../transport';
import { moduleStringCompletions } from '../../../shared/module-names';
import type { Calls } from '../../../seam/calls';

function symbolOf(ctx: OpContext, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const v = stringField(ctx.request, key);
    if (v !== undefined) return v;
  }
  return undefined;
}

function askHost<K extends 'complete' | 'lookup'>(ctx: OpContext, kind: K, payload: Calls[K]['payload']): Promise<Calls[K]['event']> {
  return new Promise((resolve) => {
    ctx.server.mainThread.call(kind, payload, (event, final) => {
      if (final) resolve(event);
    });
  });
}

/** `completions`. */
export const completionsOp: OpDescriptor = {
  doc: 'Completion candidates for a prefix: globals, session declarations, property chains (process.mem), keywords, module names.',
  requires: { prefix: 'The text to complete (also accepted as "symbol").' },
  optional: { ns: "The eval namespace whose declarations complete (default \"user\"), over the app's globals; also where module names inside require('/import('/from ' are looked up.", 'complete-fn': 'Ignored.' },
  returns: { completions: 'List of {candidate, type}; type is function, class, method, property, var, module or keyword.' },
  async handle(ctx) {
    const prefix = symbolOf(ctx, 'prefix', 'symbol') ?? '';
    // Inside a module string only module names apply, and finding them needs no host heap: answered here.
    const modules = moduleStringCompletions(prefix, stringField(ctx.request, 'ns'));
    if (modules) return ctx.done([], { completions: modules as unknown as Message[] });
    const answer = await askHost(ctx, 'complete', { prefix, session: ctx.session.id, ns: stringField(ctx.request, 'ns') });
    ctx.done([], { completions: (answer.completions ?? []) as Message[] });
  },
};

/** `lookup`. */
export const lookupOp: OpDescriptor = {
  doc: 'What a symbol or property chain is: type, arglists, source location of functions, a one-line doc.',
  requires: { sym: 'The symbol or property chain (also accepted as "symbol").' },
  optional: { ns: 'The eval namespace the symbol is looked up in (default "user"), then the globals.', 'lookup-fn': 'Ignored.' },
  returns: { info: 'Dict with name, type, arglists-str, arglists, file, line, column, doc; empty when unknown.' },
  async handle(ctx) {
    const sym = symbolOf(ctx, 'sym', 'symbol') ?? '';
    const answer = await askHost(ctx, 'lookup', { sym, ns: stringField(ctx.request, 'ns') });
    if (answer.info) ctx.done([], { info: answer.info as Message });
    else ctx.done(['no-info'], { info: [] });
  },
};

/** cider-nrepl's `complete`, same data in its shape. */
export const completeAliasOp: OpDescriptor = { ...completionsOp, doc: 'cider-nrepl-style alias of completions.' };

/** cider-nrepl's `info`: the lookup info as top-level keys. */
export const infoAliasOp: OpDescriptor = {
  doc: 'cider-nrepl-style alias of lookup: the info keys at the top level.',
  requires: { sym: 'The symbol (also "symbol").' },
  async handle(ctx) {
    const sym = symbolOf(ctx, 'sym', 'symbol') ?? '';
    const answer = await askHost(ctx, 'lookup', { sym, ns: stringField(ctx.request, 'ns') });
    if (answer.info) ctx.done([], answer.info as Message);
    else ctx.done(['no-info']);
  },
};

/** cider-nrepl's `eldoc`. */
export const eldocAliasOp: OpDescriptor = {
  doc: 'cider-nrepl-style eldoc: name, type and arglists of a function.',
  requires: { sym: 'The symbol (also "symbol").' },
  async handle(ctx) {
    const sym = symbolOf(ctx, 'sym', 'symbol') ?? '';
    const answer = await askHost(ctx, 'lookup', { sym, ns: stringField(ctx.request, 'ns') });
    const info = answer.info as Record<string, unknown> | undefined;
    if (!info || !Array.isArray(info.arglists)) return ctx.done(['no-eldoc']);
    const eldoc = (info.arglists as string[]).map((a) => [a]);
    ctx.done([], { name: String(info.name), type: String(info.type), eldoc, docstring: typeof info.doc === 'string' ? info.doc : '' });
  },
};

/** `stdin`. */
export const stdinOp: OpDescriptor = {
  doc: 'Feeds text to the session\'s input, read by evaluated code with $readLine() or $stdin; "" means end of input.',
  requires: { stdin: 'The text.' },
  returns: {},
  handle(ctx) {
    // A throw-away session has no eval that could read it: keep nothing.
    if (!ctx.session.ephemeral) ctx.server.mainThread.notify('stdin', { session: ctx.session.id, text: stringField(ctx.request, 'stdin') ?? '' });
    ctx.done();
  },
};

/** `forward-system-output`. */
export const forwardSystemOutputOp: OpDescriptor = {
  doc: 'From now on, output the host program writes itself (not evaluated code) is also sent to this connection, tagged with this request\'s id and source "system".',
  returns: { out: 'Host stdout, with source "system".', err: 'Host stderr, with source "system".' },
  handle(ctx) {
    const call = ctx.server.mainThread.call('forward-system-output', { conn: ctx.connection.conn }, (event) => {
      if (typeof event.out === 'string') ctx.respond({ out: event.out, source: 'system' }, true);
      if (typeof event.err === 'string') ctx.respond({ err: event.err, source: 'system' }, true);
    });
    ctx.connection.calls.add(call);
    ctx.done();
  },
};
