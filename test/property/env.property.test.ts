// Property tests of NREPL_SERVER_* parsing (src/shared/config/env.ts): whatever the
// environment holds, parseEnvServers never throws (it runs in the preload,
// before the app), defines exactly one entry per variable with a server
// name, in variable order, and every problem is one clean line naming its
// variable (README "Errors": one line per problem).
import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../src/errors';
import { ENV_PREFIX, parseEnvServers, parseEnvValue } from '../../src/shared/config/env';
import { fc, runs } from './fc';

const suffix = fc.oneof(
  fc.constantFrom('', 'REPL', 'DEV', 'nrepl', '__PROTO__', '__proto__', 'CONSTRUCTOR', 'A_B', '1', 'É'),
  fc.string({ maxLength: 8 }),
  fc.string({ unit: 'grapheme', maxLength: 4 }),
);
const name = fc.oneof(
  suffix.map((s) => ENV_PREFIX + s),
  fc.constantFrom('PATH', 'HOME', 'NREPL_SERVER', 'NREPL_DEBUG', 'nrepl_server_x', 'NODE_OPTIONS'),
  fc.string({ maxLength: 12 }),
);

/** Values from every family: disable words, JSON, EDN-ish text, noise. */
const value = fc.oneof(
  fc.constantFrom(undefined, '', ' ', 'false', 'OFF', ' nil ', '0', 'Off\n', 'true', 'null', '{}', '[]', '{:port 5555 :accept nrepl-ts/repl}', '{"port":5555,"accept":"nrepl-ts/repl"}', '{"__proto__":{"port":1}}', '{:__proto__ {:port 1}}', '{:a "\\\n"}', '{"a":1', '{:a', '#_'),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }).map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.array(fc.constantFrom('{', '}', '[', ']', ':port', ' ', '5555', '"x"', ':accept', 'nrepl-ts/repl', '#{', '\\', '\\u', ';', '\n', '"', '#inst', '^', ','), { maxLength: 20 }).map((t) => t.join('')),
);

const env = fc.array(fc.tuple(name, value), { maxLength: 8 }).map((pairs) => {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of pairs) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
});

function expectOneLine(text: string, what: string): void {
  expect(text.includes('\n') || text.includes('\r'), `${what} must be one line: ${JSON.stringify(text)}`).toBe(false);
}

describe('parseEnvServers', () => {
  it('never throws; one entry per defined NREPL_SERVER_* variable, sorted, named after the variable', () => {
    fc.assert(
      fc.property(env, (vars) => {
        const result = parseEnvServers(vars, '/base');
        const defined = Object.keys(vars).filter((k) => k.startsWith(ENV_PREFIX) && vars[k] !== undefined).sort();
        const named = defined.filter((k) => k !== ENV_PREFIX);
        expect(result.servers.map((s) => s.source)).toEqual(named);
        for (const s of result.servers) {
          expect(s.name).toBe(s.source.slice(ENV_PREFIX.length).toLowerCase());
          expect(s.baseDir).toBe('/base');
          // A definition is either usable (a map, no problems) or dropped with its problems.
          if (s.problems.length === 0) expect(Object.getPrototypeOf(s.fields) === Object.prototype || Object.getPrototypeOf(s.fields) === null).toBe(true);
          for (const p of s.problems) expect(p.source).toBe(s.source);
        }
        expect(result.problems).toHaveLength(defined.length - named.length);
        expect(result.defined).toBe(defined.length > 0);
      }),
      { numRuns: runs(600) },
    );
  });

  it('parseEnvValue gives a map or one problem, for any text', () => {
    fc.assert(
      fc.property(value.filter((v): v is string => v !== undefined), (text) => {
        const parsed = parseEnvValue(text);
        if (parsed.ok) expect(typeof parsed.fields).toBe('object');
        else expect(parsed.problem.message.length).toBeGreaterThan(0);
      }),
      { numRuns: runs(800) },
    );
  });

  // Unsupported escapes and character literals are quoted with JSON.stringify in the message,
  // so a backslash-newline cannot split a problem over two lines.
  it('every problem prints as one line', () => {
    fc.assert(
      fc.property(env, (vars) => {
        const result = parseEnvServers(vars, '/base');
        for (const p of [...result.problems, ...result.servers.flatMap((s) => s.problems)]) expectOneLine(formatProblem(p), 'a config problem');
      }),
      { numRuns: runs(600) },
    );
  });
});
