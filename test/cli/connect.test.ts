// `nrepl-ts connect` driven through a real pseudo-terminal (tmux), as a
// person would: type, read the screen, Tab, Ctrl-C, Ctrl-D. Every wait polls
// the screen until a deadline; no sleep decides an outcome.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APPS, spawnWithAgent, tempDir, waitForNreplPort, type Child } from '../helpers/agent';
import { answers, runCli, Tmux, untilUnresponsive } from './helpers';

async function startApp(): Promise<{ cwd: string; port: number; child: Child }> {
  const cwd = tempDir('nrepl-cli-connect-');
  const child = spawnWithAgent({ cwd });
  return { cwd, port: await waitForNreplPort(child), child };
}

/** Starts the app and `nrepl-ts connect` (port from .nrepl-port), and waits for the first prompt. */
async function session(env: Record<string, string> = {}): Promise<{ term: Tmux; cwd: string; child: Child }> {
  const { cwd, child } = await startApp();
  const term = new Tmux(['connect'], { cwd, env });
  await term.waitFor(/^nrepl-ts>$/m);
  return { term, cwd, child };
}

describe('nrepl-ts connect (in a terminal)', () => {
  it('evaluates what is typed and prints the value under it', async () => {
    const { term } = await session();
    expect(term.screen()).toMatch(/^Connected to nREPL at 127\.0\.0\.1:\d+ \(.*nrepl-ts \d/m);
    term.line('1+1');
    const screen = await term.waitFor(/^nrepl-ts> 1\+1\n2\nnrepl-ts>$/m);
    expect(screen).not.toContain('[exit');
    term.line('console.log("from the app"); "done"');
    await term.waitFor(/^from the app\n'done'\nnrepl-ts>$/m);
  });

  it('completes process.ver to process.version with Tab', async () => {
    const { term } = await session();
    term.keys('process.ver', 'Tab');
    await term.waitFor(/^nrepl-ts> process\.version$/m);
    term.keys('Enter');
    await term.waitFor(new RegExp(`^'${process.version.replace(/\./g, '\\.')}'$`, 'm'));
  });

  it('Ctrl-C interrupts while(true){}; the prompt comes back and evaluation goes on', async () => {
    // The HTTP fixture stops answering once the loop holds its main thread:
    // that is when a person would reach for Ctrl-C.
    const cwd = tempDir('nrepl-cli-connect-');
    const app = spawnWithAgent({ cwd, app: join(APPS, 'nrepl-http.cjs') });
    await waitForNreplPort(app);
    const httpPort = Number((await app.waitFor(/http listening on (\d+)/, { from: 'stdout' }))[1]);
    const term = new Tmux(['connect'], { cwd });
    await term.waitFor(/^nrepl-ts>$/m);
    term.line('while(true){}');
    await term.waitFor(/^nrepl-ts> while\(true\)\{\}\n/m);
    await untilUnresponsive(httpPort);
    term.keys('C-c');
    await term.waitFor(/^interrupted\nnrepl-ts>$/m);
    term.line('"after".toUpperCase()');
    await term.waitFor(/^'AFTER'\nnrepl-ts>$/m);
    expect(await answers(httpPort, 2_000)).toBe(true);
  });

  it('continues an unfinished entry on "..." lines (a multi-line function)', async () => {
    const { term } = await session();
    term.line('function twice(x) {');
    await term.waitFor(/^ {6}\.\.\.$/m);
    term.line('return x * 2');
    await term.waitFor(/^ {6}\.\.\. return x \* 2\n {6}\.\.\.$/m);
    term.line('}');
    await term.waitFor(/^ {6}\.\.\. \}\nundefined\nnrepl-ts>$/m);
    term.line('twice(21)');
    await term.waitFor(/^42\nnrepl-ts>$/m);
  });

  it('Ctrl-D exits with status 0', async () => {
    const { term } = await session();
    term.keys('C-d');
    await term.waitFor(/^\[exit 0\]$/m);
  });

  it('Ctrl-C at an empty prompt prints a hint; a second one exits; typed text is just cleared', async () => {
    const { term } = await session();
    term.keys('abc', 'C-c');
    await term.waitFor(/^nrepl-ts> abc\nnrepl-ts>$/m);
    term.keys('C-c');
    await term.waitFor(/^\(To exit, press Ctrl\+C again or Ctrl\+D\)\nnrepl-ts>$/m);
    term.keys('C-c');
    await term.waitFor(/^\[exit 0\]$/m);
  });

  it('keeps the history across runs', async () => {
    const history = join(tempDir('nrepl-cli-history-'), 'history');
    writeFileSync(history, 'old + 1\n');
    const first = await session({ NREPL_TS_HISTORY: history });
    first.term.line('40 + 2');
    await first.term.waitFor(/^42$/m);
    first.term.keys('C-d');
    await first.term.waitFor(/^\[exit 0\]$/m);
    expect(readFileSync(history, 'utf8')).toBe('old + 1\n40 + 2\n');
    const second = new Tmux(['connect'], { cwd: first.cwd, env: { NREPL_TS_HISTORY: history } });
    await second.waitFor(/^nrepl-ts>$/m);
    second.keys('Up');
    await second.waitFor(/^nrepl-ts> 40 \+ 2$/m);
    second.keys('Up');
    await second.waitFor(/^nrepl-ts> old \+ 1$/m);
  });

  it('prints output that arrives after the value above the prompt', async () => {
    const { term } = await session();
    term.line('setTimeout(() => console.log("later"), 300); "now"');
    await term.waitFor(/^'now'\n(nrepl-ts>\n)?later\nnrepl-ts>$/m);
  });

  it('shows err in red on a terminal, and no colors at all with NO_COLOR', async () => {
    const colored = await session();
    colored.term.line('null.x');
    await colored.term.waitFor(/TypeError/);
    expect(colored.term.screen(true)).toMatch(/\u001b\[31m.*TypeError/);
    const plain = await session({ NO_COLOR: '1' });
    plain.term.line('null.x');
    await plain.term.waitFor(/TypeError[\s\S]*nrepl-ts>$/m);
    expect(plain.term.screen(true)).not.toContain('\u001b[');
  });

  it("answers the server's need-input with the next line typed", async () => {
    const { term } = await session();
    term.line('const who = await $readLine(); `hi ${who.trim()}`');
    await term.waitFor(/\$readLine\(\); `hi \$\{who\.trim\(\)\}`\n$/m);
    term.line('Ada');
    await term.waitFor(/^Ada\n'hi Ada'\nnrepl-ts>$/m);
  });

  it('leaves with status 2 and says so when the app goes away', async () => {
    const { term, child } = await session();
    child.proc.kill('SIGKILL');
    await term.waitFor(/^nrepl-ts: the nREPL connection to 127\.0\.0\.1:\d+ was closed by the server$/m);
    await term.waitFor(/^\[exit 2\]$/m);
  });
});

describe('nrepl-ts connect (piped input)', () => {
  it('evaluates each complete entry in turn, without prompts, and exits at the end of input', async () => {
    const { cwd } = await startApp();
    const r = await runCli(['connect'], { cwd, input: '1+1\nfunction f() {\n  return 3\n}\nf()\nconsole.log("x")\n' });
    expect(r).toMatchObject({ code: 0, stdout: '2\nundefined\n3\nx\nundefined\n', stderr: '' });
  });
});
