/**
 * Checks one raw server definition on its own: known keys (aliases such as
 * camelCase or `bind` normalized to kebab-case), each value's type and range
 * (rules.ts, so no zod is loaded), and the `tls` map.
 * Relative paths (socket, port-file, tls files) become absolute against the
 * definition's folder.
 *
 * It does not merge definitions, apply defaults or check rules that span
 * fields (missing accept, socket with port): the merged result is needed for
 * those, see load.ts. It never throws; problems name the key as written.
 */
import * as path from 'node:path';
import { ErrorCodes, type ErrorCode, type Problem } from '../../errors';
import type { Level, RawServer } from './raw';
import { BUILTIN_ACCEPTS } from './defaults';
import {
  EXPECTED, KEY_ALIASES, SERVER_FIELDS, SERVER_FIELD_RULES, TLS_FIELDS, TLS_FIELD_RULES,
  type ServerField, type TlsField,
} from './rules';
import { nearest, showValue } from './text';

/** One field's value as one source set it. A null value means "cleared back to the default". */
export interface FieldValue {
  value: unknown;
  /** The key as the user wrote it (`bindErr`, `bind`). */
  key: string;
  source: string;
  /** Full dotted path of the field inside its source. */
  path: string;
  level: Level;
  baseDir: string;
  file?: string;
}

/** A definition after checking: its effective name, its valid fields, and what was wrong. */
export interface CheckedDefinition {
  raw: RawServer;
  /** The `name` field if it is a valid string, else the name from the env var or map key. */
  name: string;
  fields: Map<ServerField, FieldValue>;
  /** Any problem here means the server must not start. */
  problems: Problem[];
}

/** Joins dotted path parts, skipping empty ones. */
export function joinPath(...parts: string[]): string {
  return parts.filter((p) => p !== '').join('.');
}

/** True for a plain key/value map (not an array, null, Date, function...). */
export function isMap(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** `table[key]` for own keys only, so "__proto__" or "constructor" never match. */
export function lookup<V>(table: Readonly<Record<string, V>>, key: string): V | undefined {
  return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}

/** Builds a problem. */
export function problem(code: ErrorCode, source: string, p: string, message: string): Problem {
  return { code, source, path: p, message };
}

/** Says what a key should have been, for an unknown key. */
export function unknownKeyMessage(key: string, known: readonly string[], synonyms: Record<string, string> = {}): string {
  const suggestion = lookup(synonyms, key) ?? nearest(key, known);
  if (suggestion !== undefined) return `unknown key "${key}"; did you mean "${suggestion}"?`;
  // List each key once, in its documented spelling: no camelCase, no alias such as `bind`.
  const kebab = known.filter((k) => !/[A-Z]/.test(k) && lookup(KEY_ALIASES, k) === undefined);
  return `unknown key "${key}"; expected one of: ${kebab.join(', ')}`;
}

/** Checks one raw definition. Never throws. */
export function checkDefinition(raw: RawServer): CheckedDefinition {
  const problems: Problem[] = [...raw.problems];
  const fields = new Map<ServerField, FieldValue>();
  const writtenAs = new Map<ServerField, string>();
  const localAliases = raw.aliases ?? {};
  const aliasFor = (key: string): string | undefined =>
    (SERVER_FIELDS as string[]).includes(key) ? key : lookup(localAliases, key) ?? serverAlias(key);
  const known = [...SERVER_FIELDS, ...Object.keys(KEY_ALIASES).filter(serverAlias), ...Object.keys(localAliases)];

  for (const key of Object.keys(raw.fields)) {
    const value = raw.fields[key];
    const at = joinPath(raw.path, key);
    const field = aliasFor(key) as ServerField | undefined;
    if (field === undefined) {
      problems.push(problem(ErrorCodes.CONFIG_UNKNOWN_KEY, raw.source, at, unknownKeyMessage(key, known)));
      continue;
    }
    if (value === undefined) continue;
    const previous = writtenAs.get(field);
    if (previous !== undefined) {
      problems.push(problem(ErrorCodes.CONFIG_INVALID, raw.source, at,
        `"${previous}" and "${key}" set the same thing; keep only one of them`));
      continue;
    }
    writtenAs.set(field, key);
    const checked = value === null ? { value: null, problems: [] } : checkField(field, value, raw, at);
    problems.push(...checked.problems);
    if (checked.problems.length === 0) {
      fields.set(field, { value: checked.value, key, source: raw.source, path: at, level: raw.level, baseDir: raw.baseDir, file: raw.file });
    }
  }
  const nameField = fields.get('name');
  const name = typeof nameField?.value === 'string' ? nameField.value : raw.name;
  return { raw, name, fields, problems };
}

function serverAlias(key: string): ServerField | undefined {
  const field = lookup(KEY_ALIASES, key);
  return field !== undefined && (SERVER_FIELDS as string[]).includes(field) ? (field as ServerField) : undefined;
}

interface Checked {
  value: unknown;
  problems: Problem[];
}

function checkField(field: ServerField, value: unknown, raw: RawServer, at: string): Checked {
  if (field === 'tls') return checkTls(value, raw, at);
  if (!SERVER_FIELD_RULES[field](value)) {
    return { value, problems: [problem(ErrorCodes.CONFIG_INVALID, raw.source, at, wrongValue(field, value))] };
  }
  if (field === 'socket' || (field === 'port-file' && typeof value === 'string')) {
    return { value: path.resolve(raw.baseDir, value as string), problems: [] };
  }
  return { value, problems: [] };
}

function wrongValue(field: ServerField | TlsField, value: unknown): string {
  if (field === 'accept' && typeof value === 'string' && value.startsWith('nrepl-ts/')) {
    const guess = nearest(value, BUILTIN_ACCEPTS);
    const hint = guess ? `did you mean "${guess}"?` : `expected one of ${BUILTIN_ACCEPTS.join(', ')}`;
    return `unknown built-in accept "${value}"; ${hint}`;
  }
  return `expected ${EXPECTED[field]}, got ${showValue(value)}`;
}

/** Checks a whole `tls` map (it replaces, never merges): cert and key required, paths made absolute. */
function checkTls(value: unknown, raw: RawServer, at: string): Checked {
  if (!isMap(value)) {
    return { value, problems: [problem(ErrorCodes.CONFIG_INVALID, raw.source, at, wrongValue('tls', value))] };
  }
  const problems: Problem[] = [];
  const out: Record<string, unknown> = {};
  const written: Record<string, string> = {};
  const known = [...TLS_FIELDS, 'requireClientCert'];
  for (const key of Object.keys(value)) {
    const v = value[key];
    const keyAt = joinPath(at, key);
    const field = ((TLS_FIELDS as string[]).includes(key) ? key : lookup(KEY_ALIASES, key)) as TlsField | undefined;
    if (field === undefined || !(TLS_FIELDS as string[]).includes(field)) {
      problems.push(problem(ErrorCodes.CONFIG_UNKNOWN_KEY, raw.source, keyAt, unknownKeyMessage(key, known)));
      continue;
    }
    if (v === undefined || v === null) continue;
    if (lookup(written, field) !== undefined) {
      problems.push(problem(ErrorCodes.CONFIG_INVALID, raw.source, keyAt,
        `"${written[field]}" and "${key}" set the same thing; keep only one of them`));
      continue;
    }
    written[field] = key;
    if (!TLS_FIELD_RULES[field](v)) {
      problems.push(problem(ErrorCodes.CONFIG_INVALID, raw.source, keyAt, wrongValue(field, v)));
      continue;
    }
    out[field] = typeof v === 'string' ? path.resolve(raw.baseDir, v) : v;
  }
  for (const required of ['cert', 'key'] as const) {
    if (lookup(written, required) === undefined) {
      problems.push(problem(ErrorCodes.CONFIG_INVALID, raw.source, at,
        `missing required key "${required}"; expected ${EXPECTED[required]}`));
    }
  }
  return { value: out, problems };
}
