/**
 * The op table of the nREPL server: one entry per op, one file per concern.
 */
import type { OpTable } from '../dispatch';
import { describeOp } from './describe';
import { evalOp, loadFileOp } from './eval';
import { interruptOp } from './interrupt';
import { cloneOp, closeOp, lsEvalsOp, lsSessionsOp } from './sessions';
import {
  completeAliasOp,
  completionsOp,
  eldocAliasOp,
  forwardSystemOutputOp,
  infoAliasOp,
  lookupOp,
  stdinOp,
} from './tooling';

/** Every op the server answers. */
export const OPS: OpTable = {
  clone: cloneOp,
  close: closeOp,
  completions: completionsOp,
  complete: completeAliasOp,
  describe: describeOp(() => OPS),
  eldoc: eldocAliasOp,
  eval: evalOp,
  'forward-system-output': forwardSystemOutputOp,
  info: infoAliasOp,
  interrupt: interruptOp,
  'load-file': loadFileOp,
  lookup: lookupOp,
  'ls-evals': lsEvalsOp,
  'ls-sessions': lsSessionsOp,
  stdin: stdinOp,
};
