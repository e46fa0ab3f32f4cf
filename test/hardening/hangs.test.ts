// Nothing a client sends may block the host for good: a `while (true) {}`
// from any accept kind is interrupted by Ctrl-C, by its client's
// disconnect, or by an operator on any nREPL connection. Each test starts
// the HTTP app with the agent and proves the app answers HTTP again.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { APPS } from '../helpers/agent';
import { connectText, type TextClient } from '../helpers/text-client';
import { frame, hasStatus, httpGet, open, openRaw, sleep, startHost, statusOf, type Host, startAllKinds } from './helpers';

const APP = join(APPS, 'soak-http.cjs');
const PROMPT = /> $/;

const startAll = startAllKinds;

/** Resolves once the app answers HTTP, polling; rejects after `ms`. */
async function answersAgain(httpPort: number, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      await httpGet(httpPort, '/', 500);
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
  }
}

/**
 * Resolves once the app leaves an HTTP request unanswered for 1 s: the loop has reached the
 * main thread and really blocks it (a loaded machine can delay an answer by a few hundred ms, not
 * a second). Until then (the eval may still be on its way) it asks again; it fails if the app
 * keeps answering for 10 s.
 */
async function blocked(httpPort: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const answered = await httpGet(httpPort, '/', 1_000).then(() => true, (err: Error) => {
      if (!/did not answer/.test(err.message)) throw err;
      return false;
    });
    if (!answered) return;
    if (Date.now() > deadline) throw new Error('the app kept answering HTTP for 10 s: the loop never blocked it');
    await sleep(50);
  }
}

/** Writes raw bytes (the text client's socket takes Buffers as well). */
function sendBytes(c: TextClient, bytes: number[]): void {
  (c.send as unknown as (chunk: Buffer) => void)(Buffer.from(bytes));
}

async function loopInRepl(port: number, httpPort: number): Promise<TextClient> {
  const c = await connectText(port);
  await c.until(PROMPT);
  c.send('while (true) {}\n');
  await blocked(httpPort);
  return c;
}

describe('a plain-REPL evaluation never holds the host for good', () => {
  it('a raw Ctrl-C byte (0x03) interrupts the running evaluation, and the REPL goes on', async () => {
    const host = await startAll();
    const c = await loopInRepl(host.repl, host.httpPort!);
    c.send('\x03');
    expect(await c.until(PROMPT)).toMatch(/interrupted \(Ctrl-C\)/);
    await answersAgain(host.httpPort!);
    c.send('1 + 1\n');
    expect(await c.until(PROMPT)).toMatch(/^2\n/);
  });

  it("telnet's Interrupt Process (IAC IP) interrupts too, and telnet negotiation never reaches the evaluator", async () => {
    const host = await startAll();
    const c = await connectText(host.repl);
    await c.until(PROMPT);
    // IAC DO SUPPRESS-GO-AHEAD, as telnet sends on connect, in front of real input.
    sendBytes(c, [0xff, 0xfd, 0x03]);
    c.send('6 * 7\n');
    expect(await c.until(PROMPT)).toMatch(/^42\n/);
    c.send('while (true) {}\n');
    await blocked(host.httpPort!);
    sendBytes(c, [0xff, 0xf4]);
    expect(await c.until(PROMPT)).toMatch(/interrupted \(Ctrl-C\)/);
    await answersAgain(host.httpPort!);
  });

  it('nc killed with Ctrl-C while its evaluation loops takes the loop with it', async () => {
    const host = await startAll();
    const nc = spawn('nc', ['127.0.0.1', String(host.repl)], { stdio: ['pipe', 'pipe', 'ignore'] });
    try {
      let out = '';
      nc.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      nc.stdin.write('while (true) {}\n');
      await vi.waitFor(() => expect(out).toMatch(/> /), { timeout: 5_000 });
      await blocked(host.httpPort!);
      nc.kill('SIGINT');
      await answersAgain(host.httpPort!);
      expect(host.child.proc.exitCode).toBeNull();
    } finally {
      nc.kill('SIGKILL');
    }
  });

  it('a half-closed client that still reads gets its answer; one that vanished frees the host', async () => {
    const host = await startAll();
    const waiting = await connectText(host.repl);
    await waiting.until(PROMPT);
    waiting.send('await new Promise((r) => setTimeout(() => r("answered after end"), 1500))\n');
    waiting.end();
    expect(await waiting.until(/answered after end/)).toBeTruthy();
    const c = await loopInRepl(host.repl, host.httpPort!);
    c.destroy();
    await answersAgain(host.httpPort!);
  });

  it('an operator on any nREPL connection lists every running evaluation and stops the plain REPL’s', async () => {
    const host = await startAll();
    const c = await loopInRepl(host.repl, host.httpPort!);
    const operator = await open(host.port);
    const listed = await operator.request({ op: 'ls-evals' });
    const evals = listed[0]!.evals as Array<Record<string, unknown>>;
    expect(evals).toHaveLength(1);
    expect(evals[0]).toMatchObject({ kind: 'repl', server: 'repl', code: 'while (true) {}' });
    const stopped = await operator.request({ op: 'interrupt', session: evals[0]!.session as string });
    expect(statusOf(stopped)).toEqual(['done']);
    expect(await c.until(PROMPT)).toMatch(/interrupted by an operator/);
    await answersAgain(host.httpPort!);
    expect((await operator.request({ op: 'ls-evals' }))[0]!.evals).toEqual([]);
  });

  it('a prepl client that disconnects mid-loop frees the host too', async () => {
    const host = await startAll();
    const c = await connectText(host.prepl);
    c.send('while (true) {}\n');
    await blocked(host.httpPort!);
    c.destroy();
    await answersAgain(host.httpPort!);
  });
});

describe('a session-less nREPL evaluation never holds the host for good', () => {
  it('is interrupted when its connection closes', async () => {
    const host = await startAll();
    const raw = await openRaw(host.port);
    raw.write(frame({ op: 'eval', id: 'loop', code: 'while (true) {}' }));
    await blocked(host.httpPort!);
    raw.socket.destroy();
    await answersAgain(host.httpPort!);
  });

  it('is listed by ls-sessions while it runs and interrupt stops it by that session', async () => {
    const host = await startAll();
    const raw = await openRaw(host.port);
    raw.write(frame({ op: 'eval', id: 'loop', code: 'while (true) {}' }));
    const first = await raw.waitFor(() => true, 'nothing yet', 100).catch(() => undefined);
    expect(first, 'no reply before the loop is stopped').toBeUndefined();
    const operator = await open(host.port);
    const sessions = (await operator.request({ op: 'ls-sessions' }))[0]!.sessions as string[];
    expect(sessions).toHaveLength(1);
    const reply = await operator.request({ op: 'interrupt', session: sessions[0]! });
    expect(statusOf(reply)).toEqual(['done']);
    const interrupted = await raw.waitFor((r) => r.id === 'loop' && hasStatus(r, 'done'), 'the loop eval to end');
    expect(interrupted.status).toContain('interrupted');
    await answersAgain(host.httpPort!);
  });
});

describe('interrupt names the real cause', () => {
  it('an eval queued behind another client’s loop is abandoned, and the error names that loop', async () => {
    const host = await startAll();
    await loopInRepl(host.repl, host.httpPort!);
    const c = await open(host.port);
    const session = await c.clone();
    const queued = c.eval('1 + 1', { session, id: 'queued' }).catch((err: unknown) => err);
    await sleep(100);
    const reply = await c.request({ op: 'interrupt', session, 'interrupt-id': 'queued' });
    expect(statusOf(reply)).toEqual(['error', 'interrupt-unsafe', 'done']);
    const err = reply.map((r) => r.err ?? '').join('');
    expect(err).toMatch(/busy in another evaluation: repl client 1 of server repl/);
    expect(err).toContain('while (true) {}');
    expect(err).not.toMatch(/code it started/);
    await queued;
  });
});
