'use strict';
// Preload entry for `--import nrepl-ts/register` and `--require nrepl-ts/register`:
// one CommonJS file serves both. All logic lives in src/ (built to dist/).
// The one check here keeps a switched-off agent at zero cost: with NREPL_DISABLE
// on, not even the gate is loaded. The flag is read by dist/env-flag.js, the same
// dependency-free parser every other flag uses, so the spellings never drift.
if (!require('./dist/env-flag.js').envFlag(process.env.NREPL_DISABLE)) require('./dist/register.js');
