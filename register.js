'use strict';
// Preload entry for `--import nrepl-ts/register` and `--require nrepl-ts/register`:
// one CommonJS file serves both. All logic lives in src/ (built to dist/).
require('./dist/register.js');
