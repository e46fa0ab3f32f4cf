#!/usr/bin/env node
/**
 * `npm test`'s first step (the `pretest` script): makes sure the tools the
 * suite drives are on this machine before a single test runs, so a fresh
 * clone never ends in a wall of failures.
 *
 * - Everything present: prints nothing, exits 0 (costs a few stat calls).
 * - Something missing and we may install (root, or password-less sudo, and
 *   NREPL_TS_INSTALL_TOOLS is not 0): one line saying what is missing, then
 *   scripts/install-test-tools.sh, the same script CI runs.
 * - Otherwise: one line naming what is missing and the command to run, exit 1.
 *
 * It does not decide which tests need which tool (test/helpers/clojure.ts
 * still fails an interop test with the install command when run alone), and
 * it installs nothing but what install-test-tools.sh installs.
 * Keep JARS in step with scripts/clojure-env.sh and test/helpers/clojure.ts.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const { accessSync, constants } = require('node:fs');
const { delimiter, join, resolve } = require('node:path');

const INSTALL_COMMAND = 'bash scripts/install-test-tools.sh';

/** Commands the suite runs, and the Debian package that brings each. */
const COMMANDS = [
  { command: 'java', pkg: 'clojure' },
  { command: 'tmux', pkg: 'tmux' },
  { command: 'nc', pkg: 'netcat-openbsd' },
  { command: 'openssl', pkg: 'openssl' },
];

/** Debian's Clojure jars the interop tests put on the classpath, and their packages. */
const JARS = [
  { file: '/usr/share/java/clojure.jar', pkg: 'clojure' },
  { file: '/usr/share/java/spec.alpha.jar', pkg: 'clojure' },
  { file: '/usr/share/java/core.specs.alpha.jar', pkg: 'clojure' },
  { file: '/usr/share/java/nrepl.jar', pkg: 'libnrepl-clojure' },
  { file: '/usr/share/java/data.json.jar', pkg: 'libdata-json-clojure' },
];

function readable(file) {
  try {
    accessSync(file, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(command, pathVar) {
  return (pathVar || '').split(delimiter).some((dir) => dir !== '' && (() => {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  })());
}

/** What is missing, as tool names (`tmux`, `/usr/share/java/nrepl.jar`) with their packages. */
function missingTools(env = process.env, exists = readable) {
  const missing = COMMANDS.filter((c) => !onPath(c.command, env.PATH)).map((c) => ({ name: c.command, pkg: c.pkg }));
  if (!env.NREPL_TS_CLOJURE_CP) missing.push(...JARS.filter((j) => !exists(j.file)).map((j) => ({ name: j.file, pkg: j.pkg })));
  return missing;
}

/**
 * Pure decision: given what is missing and what this user may do, what to do
 * and the one line to print. `allowInstall` is false when NREPL_TS_INSTALL_TOOLS=0.
 */
function plan({ missing, isRoot, hasSudo, allowInstall }) {
  if (missing.length === 0) return { action: 'none' };
  const names = missing.map((m) => m.name).join(', ');
  const pkgs = [...new Set(missing.map((m) => m.pkg))].join(' ');
  if (allowInstall && (isRoot || hasSudo)) {
    return { action: 'install', sudo: !isRoot, line: `npm test: installing the test tools this machine lacks (${names}; Debian packages ${pkgs}) with scripts/install-test-tools.sh` };
  }
  const why = !allowInstall ? 'NREPL_TS_INSTALL_TOOLS=0' : 'not root and no password-less sudo';
  return { action: 'report', line: `npm test: missing test tools: ${names} (${why}); install them with \`${isRoot ? '' : 'sudo '}${INSTALL_COMMAND}\` (Debian packages ${pkgs}), then run npm test again` };
}

function main() {
  const env = process.env;
  const missing = missingTools(env);
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasSudo = !isRoot && onPath('sudo', env.PATH) && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
  const decision = plan({ missing, isRoot, hasSudo, allowInstall: env.NREPL_TS_INSTALL_TOOLS !== '0' });
  if (decision.action === 'none') return 0;
  process.stderr.write(`${decision.line}\n`);
  if (decision.action === 'report') return 1;
  const script = resolve(__dirname, 'install-test-tools.sh');
  const run = decision.sudo ? spawnSync('sudo', ['-n', 'bash', script], { stdio: 'inherit' }) : spawnSync('bash', [script], { stdio: 'inherit' });
  if (run.status === 0 && missingTools(env).length === 0) return 0;
  const still = missingTools(env).map((m) => m.name).join(', ') || 'none';
  process.stderr.write(`npm test: scripts/install-test-tools.sh did not finish (exit ${run.status ?? run.signal}; still missing: ${still}); run \`${decision.sudo ? 'sudo ' : ''}${INSTALL_COMMAND}\` by hand and read its output\n`);
  return 1;
}

module.exports = { plan, missingTools, COMMANDS, JARS, INSTALL_COMMAND };

if (require.main === module) process.exitCode = main();
