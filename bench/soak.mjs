#!/usr/bin/env node
/**
 * Soak test of the nREPL server inside a running HTTP app (issue 5).
 *
 *   npm run build && node bench/soak.mjs [--frames N] [--seconds S] [--seed K] [--json]
 *
 * Starts fixtures/apps/soak-http.cjs with the preload (an nREPL server on
 * 127.0.0.1, port 0) and, all at once until N fuzzed frames are sent or S
 * seconds pass (defaults: 1,000,000 frames, 900 s):
 * - fuzzers: several connections sending random but decodable requests
 *   (every op, unknown ops, random fields and values, garbage code), each
 *   batch paced by its replies; now and then a stream ends with malformed,
 *   truncated, mutated, non-dict, too-deep or oversized bytes, and the
 *   connection is opened again;
 * - eval clients: well-formed evals (values, output, errors, late output
 *   from timers), describe, completions and ls-sessions in their own
 *   sessions; each value is checked, and each request must get exactly one
 *   `done` (late replies included);
 * - a killer: opens a connection, starts an eval (async or synchronous,
 *   printing) and destroys the socket mid-eval;
 * - churn: opens and drops hundreds of connections (idle, half a frame, one
 *   request then gone);
 * - stalled readers: plain-REPL and prepl clients whose evals print far more
 *   than output-buffer-bytes and that never read, then vanish;
 * - a pipeliner: nREPL evals sent back to back without reading a reply;
 * - a hanger: `while (true) {}` or an await that never settles, from the
 *   plain REPL, the prepl or a session-less nREPL eval, then the client
 *   vanishes (the host must be freed each time);
 * - an HTTP probe of the app every 100 ms, checking each answer;
 * - an RSS sampler of the host (/proc/<pid>/status).
 * Then it stops the load, lets the host settle and checks: the host never
 * exited, every HTTP answer was right, every well-formed request got exactly
 * one done, no internal error was logged, and memory stayed bounded: RSS
 * within `rssBoundMb` (400 MB) of where it started once the load is over,
 * and the live heap of the app's thread (after a memory-reducing GC; the
 * host runs with --expose-gc for this) within `liveBoundMb` (16 MB) of its start, which is
 * where a leak of per-request or per-connection state would show. RSS does
 * not fall back to its start: the V8 heaps of the app's thread and of the
 * agent worker keep their high-water size while idle — about +150 MB on
 * Node 20 and +300 MB on Node 24, whose young generation grows larger —
 * while their live data goes back to a few MB. Traffic goes to 127.0.0.1
 * only; every loop is bounded by count and time. Exit status 1 when a
 * check fails.
 *
 * `runSoak(options)` is exported for test/hardening/soak.test.ts (the short
 * CI version). For diagnosis: SOAK_ONLY=fuzz,work,killer,churn,stalled,pipeline,hang runs only
 * those parts; SOAK_KEEP=1 keeps the host's folder (and a core file, with
 * `ulimit -c unlimited`).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createRequire } from 'node:module';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { encode, FrameReader, loadCodec } = require(join(ROOT, 'dist/shared/bencode/bencode.js'));
const { connect } = require(join(ROOT, 'dist/client/client.js'));

const MB = 1024 * 1024;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------
// Seeded randomness (mulberry32): a run is reproducible from its seed.

function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n) => Math.floor(next() * n);
  const pick = (list) => list[int(list.length)];
  return { next, int, pick, chance: (p) => next() < p };
}

// ---------------------------------------------------------------------------
// Fuzzed requests.

const OPS = ['eval', 'load-file', 'describe', 'clone', 'close', 'ls-sessions', 'interrupt', 'stdin', 'completions', 'complete', 'lookup', 'info', 'eldoc', 'forward-system-output'];
const NOT_OPS = ['', 'evl', 'EVAL', 'describe ', 'shutdown', '__proto__', 'constructor', 'toString', 'hasOwnProperty'];
const FIELDS = ['code', 'file', 'file-path', 'file-name', 'prefix', 'symbol', 'sym', 'ns', 'stdin', 'interrupt-id', 'line', 'column', 'verbose?', 'client-name', 'client-version',
  'nrepl.middleware.print/print', 'nrepl.middleware.print/quota', 'nrepl.middleware.print/buffer-size', 'nrepl.middleware.print/stream?', 'nrepl.middleware.print/options',
  'nrepl.middleware.caught/print?', 'complete-fn', 'lookup-fn', '-unencoded', 'status', 'value', 'out', 'err', '__proto__', 'constructor'];
// Code made of this alphabet cannot name anything (no letters): it can only fail to parse, throw, or compute a small value.
const CODE_CHARS = '0123456789 +-*/%()[]{}<>=!?:;,.\'"`&|^~\n\t\\@#';
const TEXT_CHARS = 'abcxyz_$.:/ ()[]{}"\'\\\n\t0123456789-+é€😀\u0000\uffff';

function randomText(r, chars, max) {
  let s = '';
  const n = r.int(max + 1);
  for (let i = 0; i < n; i++) s += chars[r.int(chars.length)];
  return s;
}

function randomValue(r, depth) {
  const k = r.int(depth > 2 ? 3 : 6);
  if (k === 0) return randomText(r, TEXT_CHARS, 16);
  // 2 ** 31 - 1 and 2 ** 31 as an eval `column` once aborted Node 20/22 (test/hardening/faults.test.ts).
  if (k === 1) return r.pick([0, 1, -1, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1, -(2 ** 31), 2 ** 32, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, r.int(1e6)]);
  if (k === 2) return r.pick(['', 'true', 'nil', 'user', '1', 'null', 'undefined']);
  if (k === 3) return Array.from({ length: r.int(4) }, () => randomValue(r, depth + 1));
  const d = Object.create(null);
  for (let i = r.int(4); i > 0; i--) d[r.chance(0.5) ? r.pick(FIELDS) : randomText(r, TEXT_CHARS, 6)] = randomValue(r, depth + 1);
  return d;
}

/** A random request that is valid bencode and a dict: the server must answer it with exactly one done. */
function fuzzRequest(r, n) {
  const m = Object.create(null);
  m.op = r.chance(0.9) ? r.pick(OPS) : r.chance(0.5) ? r.pick(NOT_OPS) : randomValue(r, 2);
  if (r.chance(0.8)) m.id = r.chance(0.9) ? `f${n}` : randomValue(r, 2);
  if (r.chance(0.15)) m.session = r.chance(0.5) ? '00000000-0000-4000-8000-000000000000' : randomValue(r, 2);
  if (m.op === 'eval' || m.op === 'load-file') m[m.op === 'eval' ? 'code' : 'file'] = randomText(r, CODE_CHARS, 40);
  for (let i = r.int(4); i > 0; i--) {
    const key = r.chance(0.8) ? r.pick(FIELDS) : randomText(r, TEXT_CHARS, 8);
    if (key === 'op' || key === 'code' || key === 'file' || key === 'stdin') continue; // keep the op's own field (stdin would feed a waiting eval)
    m[key] = key === '-unencoded' ? [r.pick(FIELDS)] : randomValue(r, 1);
  }
  return encode(m);
}

/**
 * Bytes that end a stream. `fatal`: the server must answer with an error and
 * close. Otherwise (a truncated or mutated frame may just look unfinished)
 * the server may wait for more bytes, and the fuzzer hangs up itself.
 */
function fatalTail(r, n, maxMessageBytes) {
  const good = fuzzRequest(r, n);
  switch (r.int(9)) {
    case 0: return { fatal: true, bytes: Buffer.from('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n') };
    case 1: return { fatal: true, bytes: Buffer.from('l2:op8:describee') };
    case 2: return { fatal: true, bytes: Buffer.concat([Buffer.from('d2:op4:eval'), Buffer.from('l'.repeat(200))]) };
    case 3: return { fatal: true, bytes: Buffer.from(`d2:op4:eval2:id1:x4:code${maxMessageBytes + 1 + r.int(1e9)}:`) };
    case 4: return { fatal: true, bytes: Buffer.concat([Buffer.from(`d2:op4:eval2:id3:big4:code${maxMessageBytes + 10}:`), Buffer.alloc(maxMessageBytes + 10, 0x31), Buffer.from('e')]) };
    case 5: { const b = Buffer.from(good); b[r.int(b.length)] = r.pick([0x3f, 0x00, 0xff, 0x3a, 0x2d]); return { fatal: false, bytes: Buffer.concat([b, Buffer.from('?')]) }; }
    case 6: return { fatal: false, bytes: Buffer.concat([good.subarray(0, r.int(good.length)), Buffer.from('x')]) };
    case 7: { const bytes = Buffer.from(Array.from({ length: 1 + r.int(64) }, () => r.int(256))); return { fatal: bytes[0] !== 0x64, bytes }; }
    default: return { fatal: true, bytes: Buffer.from('d2:op4:evali-0ee') };
  }
}

// ---------------------------------------------------------------------------
// Connections.

/** A raw socket that counts replies and dones. */
function rawConnection(port) {
  return new Promise((resolveConn, reject) => {
    const socket = netConnect({ host: '127.0.0.1', port });
    const reader = new FrameReader({ maxMessageBytes: 256 * MB });
    const state = { socket, replies: 0, dones: 0, closed: false, waiters: new Set(), badReply: undefined };
    const wake = () => { for (const w of [...state.waiters]) w(); };
    socket.setNoDelay(true);
    socket.once('connect', () => resolveConn(state));
    socket.on('error', (err) => { if (!state.connected) reject(err); });
    socket.once('connect', () => (state.connected = true));
    socket.on('data', (chunk) => {
      for (const m of reader.push(chunk)) {
        state.replies++;
        if (Array.isArray(m.status) && m.status.includes('done')) state.dones++;
      }
      if (reader.error && !state.badReply) state.badReply = reader.error.message;
      wake();
    });
    socket.once('close', () => { state.closed = true; wake(); });
  });
}

function waitUntil(state, pred, ms) {
  return new Promise((resolveWait) => {
    if (pred()) return resolveWait(true);
    const timer = setTimeout(() => { state.waiters.delete(check); resolveWait(false); }, ms);
    const check = () => { if (pred()) { clearTimeout(timer); state.waiters.delete(check); resolveWait(true); } };
    state.waiters.add(check);
  });
}

function httpGet(port, path, ms) {
  return new Promise((resolveGet, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, timeout: ms, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d) => (body += d));
      res.on('end', () => resolveGet({ status: res.statusCode, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no HTTP answer within ${ms} ms`)));
    req.on('error', reject);
    req.end();
  });
}

// ---------------------------------------------------------------------------
// The run.

/**
 * Runs the soak; resolves with a summary whose `failures` lists every check
 * that failed (empty when all passed). `atLeast` (counter name → count, e.g.
 * `{ hung: 11 }`) keeps an activity going past `seconds` until its counter
 * reaches that count, for at most `overtimeS` more seconds.
 */
export async function runSoak(options = {}) {
  const {
    frames = 1_000_000,
    seconds = 900,
    seed = 1,
    fuzzers = 4,
    evalClients = 3,
    churnConcurrency = 8,
    batch = 250,
    maxMessageBytes = 256 * 1024,
    rssBoundMb = 400,
    liveBoundMb = 16,
    settleMs = 5_000,
    atLeast = {},
    overtimeS = 45,
    node = process.execPath,
    log = () => {},
  } = options;
  await loadCodec();
  const cwd = realpathSync(mkdtempSync(join(tmpdir(), 'nrepl-soak-')));
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('NREPL_') || k === 'NODE_OPTIONS' || k.startsWith('VITEST')) delete env[k];
  // Room for the churn: the soak is about surviving traffic; refusing at max-connections has its own tests (limits.test.ts).
  env.NREPL_SERVER_NREPL = `{:port 0 :accept nrepl-ts/nrepl :max-message-bytes ${maxMessageBytes} :max-connections 256}`;
  env.NREPL_SERVER_REPL = `{:port 0 :accept nrepl-ts/repl :max-message-bytes ${maxMessageBytes} :output-buffer-bytes 65536}`;
  env.NREPL_SERVER_PREPL = `{:port 0 :accept nrepl-ts/prepl :max-message-bytes ${maxMessageBytes} :output-buffer-bytes 65536}`;
  const host = spawn(node, ['--expose-gc', '--import', join(ROOT, 'register.js'), join(ROOT, 'fixtures/apps/soak-http.cjs')], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let hostOut = '';
  let hostErr = '';
  let hostExit;
  host.stdout.setEncoding('utf8').on('data', (d) => { if (hostOut.length < 1e6) hostOut += d; });
  host.stderr.setEncoding('utf8').on('data', (d) => { if (hostErr.length < 1e6) hostErr += d; });
  host.once('exit', (code, signal) => (hostExit = { code, signal }));

  const failures = [];
  let failureCount = 0;
  const fail = (what, always = false) => {
    failureCount++;
    if (always || failures.length < 40) failures.push(what);
  };
  const s = {
    seed, framesSent: 0, fuzzDones: 0, fuzzBatchesShort: 0, badStreams: 0, closedByServer: 0,
    evals: 0, wellFormed: 0, dones: 0, lateDones: 0, wrongValues: 0, missingDone: 0,
    killed: 0, churned: 0, stalled: 0, pipelined: 0, hung: 0, httpChecks: 0, httpFailures: 0, httpMaxMs: 0,
    rss: { startMb: 0, peakMb: 0, endMb: 0 }, durationS: 0,
  };
  const rss = () => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${host.pid}/status`, 'utf8'));
      return m ? Number(m[1]) / 1024 : 0; // a zombie has no VmRSS
    } catch {
      return 0;
    }
  };

  try {
    const ports = await new Promise((resolvePorts, reject) => {
      const t = setTimeout(() => reject(new Error(`host did not start within 15 s; stderr: ${hostErr}`)), 15_000);
      const check = () => {
        const n = /nREPL server started on port (\d+)/.exec(hostErr);
        const h = /http listening on (\d+)/.exec(hostOut);
        const rp = /server repl \(nrepl-ts\/repl\) listening on 127\.0\.0\.1:(\d+)/.exec(hostErr);
        const pp = /server prepl \(nrepl-ts\/prepl\) listening on 127\.0\.0\.1:(\d+)/.exec(hostErr);
        if (n && h && rp && pp) { clearTimeout(t); resolvePorts({ nrepl: Number(n[1]), http: Number(h[1]), repl: Number(rp[1]), prepl: Number(pp[1]) }); }
        else if (hostExit) { clearTimeout(t); reject(new Error(`host exited at start: ${JSON.stringify(hostExit)} ${hostErr}`)); }
      };
      host.stdout.on('data', check);
      host.stderr.on('data', check);
      host.once('exit', check);
    });
    log(`host pid ${host.pid}, nREPL ${ports.nrepl}, HTTP ${ports.http}`);

    // Eval clients and their sessions exist before the fuzzers can fill max-sessions with clones.
    const late = new Map(); // id -> dones after the first
    const clients = [];
    for (let i = 0; i < evalClients; i++) {
      const c = await connect({ port: ports.nrepl }, {
        timeoutMs: 30_000,
        onUnsolicited: (m) => { if (typeof m.id === 'string' && Array.isArray(m.status) && m.status.includes('done')) late.set(m.id, (late.get(m.id) ?? 0) + 1); },
      });
      clients.push({ c, session: await c.clone({ 'client-name': `soak-${i}` }) });
    }
    for (const { c, session } of clients) await c.eval("'warm'", { session });
    /**
     * The app thread's live heap in MB. A heap snapshot (streamed to nowhere)
     * runs the memory-reducing GC: a plain gc() keeps V8's compilation cache,
     * ~600 bytes per distinct evaluated script, which V8 frees only under
     * memory pressure (plain node's vm does the same).
     */
    const liveHeap = async () => {
      const code = "await new Promise((done, failed) => { const s = require('node:v8').getHeapSnapshot(); s.on('data', () => {}); s.on('end', done); s.on('error', failed); }); gc(); Math.round(process.memoryUsage().heapUsed / 1048576)";
      const r = await clients[0].c.eval(code, { session: clients[0].session });
      return Number(r.values[0]);
    };
    s.mainLive = { startMb: await liveHeap(), endMb: 0 };
    await sleep(500);
    s.rss.startMb = rss();
    s.rss.peakMb = s.rss.startMb;
    const t0 = Date.now();
    const deadline = t0 + seconds * 1000;
    let stopping = false;
    const overtime = deadline + overtimeS * 1000;
    /**
     * Whether an activity goes on. Past the time (or the frame budget) one goes on only while
     * its counter is below what the caller asked for `atLeast`, and at most `overtimeS` more:
     * so a slow machine makes the soak longer, not thinner.
     */
    const running = (counter) => {
      if (stopping || hostExit !== undefined) return false;
      if (Date.now() < deadline && s.framesSent < frames) return true;
      return counter !== undefined && s[counter] < (atLeast[counter] ?? 0) && Date.now() < overtime;
    };

    // -- RSS sampler and HTTP probe
    const samples = [];
    const sampler = (async () => {
      while (!stopping && hostExit === undefined) {
        const now = rss();
        samples.push(now);
        s.rss.peakMb = Math.max(s.rss.peakMb, now);
        await sleep(250);
      }
    })();
    const r0 = rng(seed);
    const probe = (async () => {
      while (!stopping && hostExit === undefined) {
        const n = r0.int(5000);
        const started = Date.now();
        try {
          const res = await httpGet(ports.http, `/sum?n=${n}`, 5_000);
          const body = JSON.parse(res.body);
          if (res.status !== 200 || body.n !== n || body.sum !== (n * (n + 1)) / 2) { s.httpFailures++; fail(`HTTP /sum?n=${n} answered ${res.status} ${res.body}`); }
        } catch (err) {
          s.httpFailures++;
          fail(`HTTP /sum?n=${n} failed: ${err.message}`);
        }
        s.httpChecks++;
        s.httpMaxMs = Math.max(s.httpMaxMs, Date.now() - started);
        await sleep(100);
      }
    })();

    // -- fuzzers
    const fuzz = async (k) => {
      const r = rng(seed * 1000 + k);
      let n = 0;
      while (running('framesSent')) {
        let conn;
        try { conn = await rawConnection(ports.nrepl); } catch (err) { fail(`fuzzer ${k} could not connect: ${err.message}`); await sleep(100); continue; }
        const batches = 1 + r.int(40);
        for (let b = 0; b < batches && running('framesSent') && !conn.closed; b++) {
          const parts = [];
          for (let i = 0; i < batch; i++) parts.push(fuzzRequest(r, n++));
          const before = conn.dones;
          // Arbitrary chunking: the batch leaves in a few writes split anywhere.
          const bytes = Buffer.concat(parts);
          let at = 0;
          while (at < bytes.length) {
            const end = Math.min(bytes.length, at + 1 + r.int(bytes.length));
            conn.socket.write(bytes.subarray(at, end));
            at = end;
          }
          s.framesSent += batch;
          const ok = await waitUntil(conn, () => conn.dones - before >= batch || conn.closed, 15_000);
          s.fuzzDones += conn.dones - before;
          if (!ok || conn.closed) { s.fuzzBatchesShort++; fail(`fuzzer ${k}: a batch of ${batch} valid requests got ${conn.dones - before} dones${conn.closed ? ' (connection closed)' : ' within 15 s'}`); break; }
        }
        if (conn.badReply) fail(`fuzzer ${k}: the server sent bad bencode: ${conn.badReply}`);
        if (!conn.closed && r.chance(0.7)) {
          const tail = fatalTail(r, n++, maxMessageBytes);
          conn.socket.write(tail.bytes);
          s.framesSent++;
          s.badStreams++;
          const closed = await waitUntil(conn, () => conn.closed, tail.fatal ? 5_000 : 300);
          if (closed) s.closedByServer++;
          else if (tail.fatal) fail(`fuzzer ${k}: the server did not close a stream within 5 s of a fatal frame ${JSON.stringify(tail.bytes.subarray(0, 80).toString('latin1'))}`);
        }
        conn.socket.destroy();
      }
    };

    // -- well-formed clients
    const work = async ({ c, session }, k) => {
      const r = rng(seed * 7919 + k);
      let i = 0;
      while (running()) {
        i++;
        const a = r.int(1e6);
        const b = r.int(1000);
        const kind = r.int(10);
        const id = `w${k}-${i}`;
        const check = (ok, what) => { if (!ok) { s.wrongValues++; fail(`${id}: ${what}`); } };
        try {
          s.wellFormed++;
          let responses;
          if (kind < 5) {
            s.evals++;
            responses = await c.request({ op: 'eval', id, session, code: `${a} * ${b}` });
            check(responses.some((m) => m.value === String(a * b)), `expected value ${a * b}, got ${JSON.stringify(responses)}`);
          } else if (kind === 5) {
            s.evals++;
            responses = await c.request({ op: 'eval', id, session, code: `console.log('line ${a}'); setTimeout(() => console.log('late ${a}'), 5); ${b}` });
            check(responses.some((m) => m.value === String(b)) && responses.some((m) => m.out === `line ${a}\n`), `output eval: ${JSON.stringify(responses)}`);
          } else if (kind === 6) {
            s.evals++;
            responses = await c.request({ op: 'eval', id, session, code: `throw new RangeError('soak ${a}')` });
            check(responses.some((m) => m.ex === 'RangeError'), `error eval: ${JSON.stringify(responses)}`);
          } else if (kind === 7) {
            responses = await c.request({ op: 'describe', id });
            check(responses.some((m) => m.versions && m.versions['nrepl-ts']), 'describe without versions');
          } else if (kind === 8) {
            responses = await c.request({ op: 'completions', id, session, prefix: 'Math.ma' });
            check(responses.some((m) => Array.isArray(m.completions) && m.completions.some((x) => x.candidate === 'Math.max')), `completions: ${JSON.stringify(responses).slice(0, 300)}`);
          } else {
            responses = await c.request({ op: 'ls-sessions', id });
            check(responses.some((m) => Array.isArray(m.sessions) && m.sessions.includes(session)), 'ls-sessions lost our session');
          }
          s.dones++;
        } catch (err) {
          s.missingDone++;
          fail(`${id}: ${err.message}`);
          if (/closed|ECONNRESET/.test(err.message)) return; // the connection is gone: no point going on
        }
      }
    };

    // -- killer: evals abandoned mid-way
    const killer = async () => {
      const r = rng(seed * 31 + 5);
      while (running('killed')) {
        let conn;
        try { conn = await rawConnection(ports.nrepl); } catch (err) { fail(`killer could not connect: ${err.message}`); await sleep(100); continue; }
        const code = r.chance(0.5)
          ? `for (let i = 0; i < 20; i++) { console.log('tick', i); await new Promise((r) => setTimeout(r, 10)); } 'finished'`
          : `const t0 = Date.now(); while (Date.now() - t0 < 20) {} console.log('spun'); 'spun'`;
        conn.socket.write(encode({ op: 'eval', id: 'doomed', code }));
        await sleep(5 + r.int(60));
        conn.socket.destroy();
        s.killed++;
        await sleep(r.int(20));
      }
    };

    // -- churn: connections opened and dropped
    const churn = async (k) => {
      const r = rng(seed * 101 + k);
      while (running('churned')) {
        let conn;
        try { conn = await rawConnection(ports.nrepl); } catch (err) { fail(`churn could not connect: ${err.message}`); await sleep(100); continue; }
        const what = r.int(4);
        if (what === 1) conn.socket.write('d2:op8:desc');
        if (what === 2) conn.socket.write(encode({ op: 'describe', id: 'bye' }));
        if (what === 3) conn.socket.write(encode({ op: 'clone', id: 'bye' }));
        await sleep(r.int(30));
        if (r.chance(0.5)) conn.socket.end();
        else conn.socket.destroy();
        s.churned++;
      }
    };

    // -- stalled readers: text clients whose evals print far past their output buffer, never read, then vanish
    const stalledReader = async () => {
      const r = rng(seed * 53 + 3);
      while (running('stalled')) {
        const port = r.chance(0.5) ? ports.repl : ports.prepl;
        const socket = netConnect({ host: '127.0.0.1', port });
        socket.on('error', () => {});
        await new Promise((done) => { socket.once('connect', done); socket.once('close', done); });
        socket.pause();
        // 400 KB each: far past the 64 KB output buffer of these servers, light enough to leave the app time for others.
        socket.write(`for (let i = 0; i < 800; i++) console.log('${'s'.repeat(500)}'); 'printed'\n`);
        await sleep(100 + r.int(400));
        socket.destroy();
        s.stalled++;
        await sleep(200 + r.int(300));
      }
    };

    // -- pipeliner: evals back to back, no reply read, then gone
    const pipeliner = async () => {
      const r = rng(seed * 59 + 7);
      while (running('pipelined')) {
        let conn;
        try { conn = await rawConnection(ports.nrepl); } catch (err) { fail(`pipeliner could not connect: ${err.message}`); await sleep(100); continue; }
        conn.socket.pause();
        const count = 100 + r.int(400);
        const parts = [];
        for (let i = 0; i < count; i++) parts.push(encode({ op: 'eval', id: `pipe${i}`, code: `${i} + 1` }));
        conn.socket.write(Buffer.concat(parts));
        s.pipelined += count;
        await sleep(50 + r.int(200));
        conn.socket.destroy();
        await sleep(200 + r.int(300));
      }
    };

    // -- hanger: an eval that would hold the host for good, then its client vanishes
    const hanger = async () => {
      const r = rng(seed * 61 + 11);
      while (running('hung')) {
        const what = r.int(3);
        const code = r.chance(0.5) ? 'while (true) {}' : 'await new Promise(() => {})';
        let socket;
        if (what === 0) {
          const conn = await rawConnection(ports.nrepl).catch(() => undefined);
          if (!conn) { await sleep(100); continue; }
          socket = conn.socket;
          socket.write(encode({ op: 'eval', id: 'hang', code }));
        } else {
          socket = netConnect({ host: '127.0.0.1', port: what === 1 ? ports.repl : ports.prepl });
          socket.on('error', () => {});
          await new Promise((done) => { socket.once('connect', done); socket.once('close', done); });
          socket.write(`${code}\n`);
        }
        await sleep(30 + r.int(120));
        socket.destroy();
        s.hung++;
        // The host is freed within a moment of the client's departure (the probe checks it answers);
        // then it gets time to serve everyone else before the next hang.
        await sleep(1500 + r.int(1000));
      }
    };

    const progress = setInterval(() => log(`${((Date.now() - t0) / 1000).toFixed(0)} s: ${s.framesSent} frames, ${s.evals} evals, ${s.churned} churned, ${s.killed} killed, RSS ${rss().toFixed(0)} MB`), 10_000);
    const only = new Set((process.env.SOAK_ONLY ?? 'fuzz,work,killer,churn,stalled,pipeline,hang').split(','));
    await Promise.all([
      ...(only.has('fuzz') ? Array.from({ length: fuzzers }, (_, k) => fuzz(k)) : []),
      ...(only.has('work') ? clients.map((c, k) => work(c, k)) : []),
      ...(only.has('killer') ? [killer()] : []),
      ...(only.has('churn') ? Array.from({ length: churnConcurrency }, (_, k) => churn(k)) : []),
      ...(only.has('stalled') ? [stalledReader()] : []),
      ...(only.has('pipeline') ? [pipeliner()] : []),
      ...(only.has('hang') ? [hanger()] : []),
    ]);
    clearInterval(progress);
    s.durationS = Math.round((Date.now() - t0) / 100) / 10;

    // Late replies (timer output, stray dones) have a moment to arrive; then the host settles.
    await sleep(Math.min(2_000, settleMs));
    for (const [id, n] of late) { s.lateDones += n; fail(`${id}: ${n} extra done(s)`); }
    for (const { c, session } of clients) {
      try { await c.eval("'settled'", { session }); } catch (err) { fail(`eval after the run: ${err.message}`); }
    }
    stopping = true;
    await Promise.all([probe, sampler]);
    // RSS half-way through the load and in its last tenth: a leak shows as growth between them.
    const loadSamples = samples.slice(0, Math.max(1, Math.round((s.durationS * 1000) / 250)));
    s.rss.midMb = loadSamples[Math.floor(loadSamples.length / 2)] ?? 0;
    s.rss.lateMb = Math.max(...loadSamples.slice(Math.floor(loadSamples.length * 0.9)));
    await sleep(settleMs);
    if (hostExit === undefined) s.rss.endMb = rss();
    try {
      s.mainHeapTotalMb = Number((await clients[0].c.eval('Math.round(process.memoryUsage().heapTotal / 1048576)', { session: clients[0].session })).values[0]);
      s.mainLive.endMb = await liveHeap();
      if (s.mainLive.endMb - s.mainLive.startMb > liveBoundMb) fail(`the app thread's live heap grew from ${s.mainLive.startMb} MB to ${s.mainLive.endMb} MB (bound +${liveBoundMb} MB): a leak`, true);
    } catch (err) {
      fail(`memory report after the run: ${err.message}`);
    }
    for (const { c } of clients) await c.end().catch(() => {});
    try {
      const last = await httpGet(ports.http, '/sum?n=10', 5_000);
      if (JSON.parse(last.body).sum !== 55) fail(`HTTP after the run: ${last.body}`);
    } catch (err) {
      fail(`HTTP after the run: ${err.message}`);
    }
  } catch (err) {
    fail(`soak aborted: ${err.stack ?? err}`);
  } finally {
    s.hostAlive = hostExit === undefined;
    if (!s.hostAlive) fail(`the host exited: ${JSON.stringify(hostExit)}; stderr: ${hostErr.slice(-3000)}`, true);
    const internal = hostErr.split('\n').filter((l) => /NREPL_INTERNAL|please report|Uncaught|RangeError|FATAL|out of memory/i.test(l));
    if (internal.length > 0) fail(`the agent logged internal errors: ${internal.slice(0, 5).join(' | ')}`, true);
    if (s.hostAlive && s.rss.endMb - s.rss.startMb > rssBoundMb) fail(`RSS did not come back: start ${s.rss.startMb.toFixed(0)} MB, end ${s.rss.endMb.toFixed(0)} MB (bound +${rssBoundMb} MB)`, true);
    if (failureCount > failures.length) failures.push(`… and ${failureCount - failures.length} more`);
    host.kill('SIGKILL');
    if (process.env.SOAK_KEEP) log(`kept the host's folder ${cwd}`);
    else rmSync(cwd, { recursive: true, force: true });
  }
  for (const k of Object.keys(s.rss)) s.rss[k] = Math.round(s.rss[k]);
  return { ...s, failures, ok: failures.length === 0 };
}

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=');
    const value = () => inline ?? argv[++i];
    if (flag === '--frames') out.frames = Number(value());
    else if (flag === '--seconds') out.seconds = Number(value());
    else if (flag === '--seed') out.seed = Number(value());
    else if (flag === '--json') out.json = true;
    else throw new Error(`unknown option ${argv[i]}; usage: node bench/soak.mjs [--frames N] [--seconds S] [--seed K] [--json]`);
  }
  return out;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const summary = await runSoak({ ...args, log: (line) => process.stderr.write(`soak: ${line}\n`) });
  if (args.json) {
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  } else {
    const rows = [
      ['duration', `${summary.durationS} s (Node ${process.version}, seed ${summary.seed})`],
      ['fuzzed frames sent', summary.framesSent.toLocaleString('en')],
      ['  dones for fuzzed requests', summary.fuzzDones.toLocaleString('en')],
      ['  streams ended by bad bytes', `${summary.badStreams} (${summary.closedByServer} closed by the server, the rest hung up by the client)`],
      ['well-formed requests', `${summary.wellFormed} (${summary.evals} evals)`],
      ['  with exactly one done', `${summary.dones} (missing ${summary.missingDone}, extra ${summary.lateDones}, wrong value ${summary.wrongValues})`],
      ['clients killed mid-eval', summary.killed],
      ['connections opened and dropped', summary.churned],
      ['HTTP checks', `${summary.httpChecks} (${summary.httpFailures} failed, slowest ${summary.httpMaxMs} ms)`],
      ['host RSS start / peak / end', `${summary.rss.startMb} / ${summary.rss.peakMb} / ${summary.rss.endMb} MB`],
      ['  RSS half-way / last tenth of the load', `${summary.rss.midMb} / ${summary.rss.lateMb} MB`],
      ['app thread live heap start / end', `${summary.mainLive?.startMb} / ${summary.mainLive?.endMb} MB after a memory-reducing GC (heap size at the end ${summary.mainHeapTotalMb} MB)`],
      ['host alive', summary.hostAlive ? 'yes' : 'NO'],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    for (const [k, v] of rows) process.stdout.write(`${k.padEnd(width)}  ${v}\n`);
    process.stdout.write(summary.ok ? 'soak: all checks passed\n' : `soak: ${summary.failures.length} check(s) failed:\n${summary.failures.map((f) => `  - ${f}`).join('\n')}\n`);
  }
  process.exitCode = summary.ok ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((err) => {
    process.stderr.write(`soak: ${err.stack ?? err}\n`);
    process.exitCode = 1;
  });
}
