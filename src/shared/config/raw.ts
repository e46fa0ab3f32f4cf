/**
 * The hand-off between the readers (env.ts, files.ts) and the loader
 * (load.ts): unvalidated server definitions, each tagged with where it came
 * from, plus the problems and notes a reader collected.
 *
 * Types only; nothing here reads, checks or merges.
 */
import type { Problem } from '../../errors';

/** Precedence of a source, highest first: lower number wins a merge. */
export const Level = {
  ENV: 0,
  PROJECT_RC: 1,
  PROJECT_EDN: 2,
  USER_EDN: 3,
} as const;

/** One of the Level values. */
export type Level = (typeof Level)[keyof typeof Level];

/** One server's map as one source wrote it, not yet checked. */
export interface RawServer {
  /** Name from the env var or the `servers` key; a string `name` field overrides it later. */
  name: string;
  /** The map exactly as written (keys as the user spelled them). */
  fields: Record<string, unknown>;
  /** Env var name or absolute file path, used as Problem.source and as the origins label. */
  source: string;
  /** Dotted path of this map inside the source (`servers.dev`), '' for a whole env value or the top level. */
  path: string;
  level: Level;
  /** Folder that relative paths in this map resolve against. */
  baseDir: string;
  /** Absolute path of the defining file; undefined for env vars. */
  file?: string;
  /** Extra key spellings allowed here (the top level of an nREPL file: `bind`/`host` → `address`). */
  aliases?: Readonly<Record<string, string>>;
  /** Accept to use when no source sets one (the top-level nREPL server: `nrepl-ts/nrepl`). */
  defaultAccept?: string;
  /** Problems that make this definition unusable (not a map, unparseable); the server is dropped. */
  problems: Problem[];
}

/** What a reader returns for its sources. */
export interface SourceResult {
  servers: RawServer[];
  /** Problems not tied to one server (unknown top-level key, unreadable file). */
  problems: Problem[];
  /** Debug-only remarks (ignored Clojure nREPL keys, which files were read). */
  notes: string[];
  /** True when a source tried to define servers, even if it failed to parse. */
  defined: boolean;
}
