// Shared helpers for the benchmarks: statistics, child servers, RSS sampling.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Percentile of sorted samples (p in 0..100). */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

/** Median of unsorted samples. */
export function median(xs) {
  return percentile([...xs].sort((a, b) => a - b), 50);
}

/** Starts a server process and resolves when `ready` matches its output (stdout or stderr). */
export function startProcess(command, args, { env = process.env, cwd, ready, timeoutMs = 60_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} did not become ready in ${timeoutMs} ms:\n${text}`));
    }, timeoutMs);
    const onData = (d) => {
      text += d;
      const m = text.match(ready);
      if (m) {
        clearTimeout(timer);
        resolve({ child, match: m, output: () => text });
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited (${code}) before ready:\n${text}`));
    });
  });
}

/** RSS of a process in bytes (Linux /proc). */
export function rssOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
    return kb * 1024;
  } catch {
    return NaN;
  }
}

/** Samples RSS of `pid` every `everyMs` until stopped; returns {stop() -> peak bytes}. */
export function sampleRss(pid, everyMs = 5) {
  let peak = rssOf(pid);
  const timer = setInterval(() => {
    const r = rssOf(pid);
    if (r > peak) peak = r;
  }, everyMs);
  return { stop: () => (clearInterval(timer), Math.max(peak, rssOf(pid))) };
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Formats a number for tables. */
export function fmt(x, digits = 2) {
  if (x === undefined || Number.isNaN(x)) return '–';
  return x >= 100 ? x.toFixed(0) : x.toFixed(digits);
}
