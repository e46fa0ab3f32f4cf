import { describe, expect, it } from 'vitest';
import { splitNodeArgs } from '../../src/cli/node-args';
import { canStripTypes, stripsTypesByDefault, typeScriptPlan } from '../../src/cli/typescript';

describe('splitNodeArgs', () => {
  it('gives flags before the app to node, and everything after it to the app', () => {
    expect(splitNodeArgs(['--inspect', '-r', './x.js', '--title=t', 'app.js', '--inspect', 'a'])).toEqual({
      nodeArgs: ['--inspect', '-r', './x.js', '--title=t'],
      app: 'app.js',
      appArgs: ['--inspect', 'a'],
    });
    expect(splitNodeArgs(['app.js'])).toEqual({ nodeArgs: [], app: 'app.js', appArgs: [] });
    expect(splitNodeArgs(['--inspect'])).toEqual({ nodeArgs: ['--inspect'], app: undefined, appArgs: [] });
  });
});

describe('typeScriptPlan', () => {
  const TSX = 'file:///app/node_modules/tsx/dist/loader.mjs';
  it('leaves JavaScript and a loader the user chose alone', () => {
    expect(typeScriptPlan('app.js', [], TSX, 'v20.0.0')).toEqual({ ok: true, nodeArgs: [], via: 'none' });
    expect(typeScriptPlan('app.ts', ['--import=ts-node/esm'], undefined, 'v20.0.0')).toEqual({ ok: true, nodeArgs: [], via: 'none' });
    expect(typeScriptPlan('app.ts', ['--experimental-strip-types'], undefined, 'v22.6.0')).toEqual({ ok: true, nodeArgs: [], via: 'none' });
  });
  it('prefers tsx when the app resolves it', () => {
    expect(typeScriptPlan('src/app.mts', [], TSX, 'v24.1.0')).toEqual({ ok: true, nodeArgs: ['--import', TSX], via: 'tsx' });
  });
  it("uses Node's type stripping where it exists, with the flag where it is not the default", () => {
    expect(typeScriptPlan('app.ts', [], undefined, 'v23.6.0')).toEqual({ ok: true, nodeArgs: [], via: 'node' });
    expect(typeScriptPlan('app.ts', [], undefined, 'v22.18.0')).toEqual({ ok: true, nodeArgs: [], via: 'node' });
    expect(typeScriptPlan('app.cts', [], undefined, 'v22.12.0')).toEqual({ ok: true, nodeArgs: ['--experimental-strip-types'], via: 'node' });
  });
  it('says in one sentence what to install when it cannot', () => {
    expect(typeScriptPlan('app.ts', [], undefined, 'v20.19.0')).toEqual({
      ok: false,
      error: 'nrepl-ts run: app.ts is TypeScript and Node v20.19.0 cannot strip types (22.6 or later can); install tsx in the app (npm install --save-dev tsx) or pass your own loader: nrepl-ts run -- --import=LOADER app.ts',
    });
    expect(typeScriptPlan('ui.tsx', [], undefined, 'v24.0.0')).toMatchObject({ ok: false, error: expect.stringContaining('Node cannot strip types from .tsx files') });
  });
  it('knows the versions', () => {
    expect([stripsTypesByDefault('v22.17.9'), stripsTypesByDefault('v22.18.0'), stripsTypesByDefault('v23.5.0'), stripsTypesByDefault('v25.0.0')]).toEqual([false, true, false, true]);
    expect([canStripTypes('v22.5.0'), canStripTypes('v22.6.0'), canStripTypes('v20.99.0')]).toEqual([false, true, false]);
  });
});
