#!/usr/bin/env node
/** Entry of the `nrepl-ts` bin: runs the CLI (cli.ts) and exits with its status. No logic here. */
import { main } from './cli';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Let pending output flush; if a stray handle keeps the loop alive, leave anyway.
    setTimeout(() => process.exit(code), 2_000).unref();
  },
  (err: unknown) => {
    process.stderr.write(`nrepl-ts: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(70);
  },
);
