'use strict';
// Preload entry for `--import nrepl-ts/register` and `--require nrepl-ts/register`:
// one CommonJS file serves both. All logic lives in src/ (built to dist/).
// The one check here keeps a switched-off agent at zero cost: with NREPL_DISABLE
// set (anything but empty/0/false/no/off), not even the gate is loaded.
const off = String(process.env.NREPL_DISABLE ?? '').trim().toLowerCase();
if (off === '' || off === '0' || off === 'false' || off === 'no' || off === 'off') require('./dist/register.js');
