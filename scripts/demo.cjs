#!/usr/bin/env node
/**
 * `npm run demo`: starts the demo app (fixtures/apps/demo.js) under
 * `nrepl-ts run` with a plain REPL and an nREPL server inside.
 *
 * Ports come from the environment: PORT (the app's HTTP server, 8080),
 * REPL_PORT (plain REPL, 5555), NREPL_PORT (nREPL, 7888); 0 = any free port.
 * Each is checked before the app starts, so a bad or busy one ends in one line
 * naming the variable to change, not in a stack trace.
 * It does not build: the `demo` script runs `npm run build` first.
 */
'use strict';
const { spawn } = require('node:child_process');
const net = require('node:net');
const { join } = require('node:path');

const ROOT = join(__dirname, '..');

/** The demo's ports: the variable that sets each, what it is for, its default. */
const PORTS = [
  { variable: 'PORT', what: "the demo app's HTTP server", fallback: 8080 },
  { variable: 'REPL_PORT', what: 'the plain REPL (nc 127.0.0.1 PORT)', fallback: 5555 },
  { variable: 'NREPL_PORT', what: 'the nREPL server (nrepl-ts connect, editors)', fallback: 7888 },
];

/** Pure: the ports from `env`, or one line saying which variable is wrong. */
function demoPorts(env) {
  const ports = {};
  for (const p of PORTS) {
    const raw = env[p.variable];
    const value = raw === undefined || raw.trim() === '' ? p.fallback : /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
    if (!(value >= 0 && value <= 65535)) {
      return { ok: false, error: `npm run demo: ${p.variable}=${JSON.stringify(raw)}: expected a port number 0-65535 (0 = any free port) for ${p.what}` };
    }
    ports[p.variable] = value;
  }
  return { ok: true, ports };
}

/** Resolves with the error code when 127.0.0.1:port cannot be listened on, else undefined. */
function probe(port) {
  if (port === 0) return Promise.resolve(undefined);
  return new Promise((resolvePromise) => {
    const server = net.createServer();
    server.once('error', (err) => resolvePromise(err.code ?? String(err)));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolvePromise(undefined)));
  });
}

async function main() {
  const parsed = demoPorts(process.env);
  if (!parsed.ok) {
    process.stderr.write(`${parsed.error}\n`);
    return 1;
  }
  const { ports } = parsed;
  for (const p of PORTS) {
    const code = await probe(ports[p.variable]);
    if (code === undefined) continue;
    const why = code === 'EADDRINUSE' ? 'is in use by another process' : code === 'EACCES' ? 'needs privileges' : `cannot be used (${code})`;
    process.stderr.write(`npm run demo: port ${ports[p.variable]} (${p.what}) ${why}; choose another: ${p.variable}=${ports[p.variable] === 0 ? 1 : ports[p.variable] + 1} npm run demo (0 = any free port)\n`);
    return 1;
  }
  const child = spawn(
    process.execPath,
    [join(ROOT, 'dist/cli/main.js'), 'run', '--port', String(ports.NREPL_PORT), '--repl', String(ports.REPL_PORT), join(ROOT, 'fixtures/apps/demo.js')],
    { cwd: ROOT, stdio: 'inherit', env: { ...process.env, PORT: String(ports.PORT) } },
  );
  for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  process.on('SIGINT', () => {}); // the terminal sends Ctrl-C to the app too; wait for it to end
  return new Promise((resolvePromise) => child.on('exit', (code, signal) => resolvePromise(code ?? 128 + (require('node:os').constants.signals[signal] ?? 0))));
}

module.exports = { demoPorts, PORTS };

if (require.main === module) main().then((code) => (process.exitCode = code));
