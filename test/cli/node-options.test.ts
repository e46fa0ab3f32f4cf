import { describe, expect, it } from 'vitest';
import { joinNodeOptions, nodeOptionsWithAgent, nodeOptionsWithoutAgent, shellExport, splitNodeOptions } from '../../src/cli/node-options';

const URL = 'file:///opt/g/lib/node_modules/nrepl-ts/register.js';

describe('splitNodeOptions / joinNodeOptions', () => {
  it('splits on whitespace, groups double quotes, unescapes inside them, and joins back', () => {
    const tokens = splitNodeOptions(' --enable-source-maps  --require "./my path/x.js" --title="a \\"b\\""');
    expect(tokens).toEqual(['--enable-source-maps', '--require', './my path/x.js', '--title=a "b"']);
    expect(splitNodeOptions(joinNodeOptions(tokens))).toEqual(tokens);
    expect(splitNodeOptions('')).toEqual([]);
  });
});

describe('nodeOptionsWithAgent', () => {
  it('adds the agent by absolute URL after the options already set', () => {
    expect(nodeOptionsWithAgent(undefined, URL)).toBe(`--import=${URL}`);
    expect(nodeOptionsWithAgent('--enable-source-maps --max-old-space-size=4096', URL)).toBe(`--enable-source-maps --max-old-space-size=4096 --import=${URL}`);
  });
  it('is idempotent and replaces an agent named by specifier or by another install', () => {
    const once = nodeOptionsWithAgent('--no-warnings', URL);
    expect(nodeOptionsWithAgent(once, URL)).toBe(once);
    expect(nodeOptionsWithAgent('--import nrepl-ts/register --no-warnings', URL)).toBe(`--no-warnings --import=${URL}`);
    expect(nodeOptionsWithAgent('-r /old/node_modules/nrepl-ts/register.js', URL)).toBe(`--import=${URL}`);
  });
  it('leaves other preloads alone', () => {
    expect(nodeOptionsWithAgent('--import tsx -r ts-node/register', URL)).toBe(`--import tsx -r ts-node/register --import=${URL}`);
  });
  it('--unset takes every agent out', () => {
    expect(nodeOptionsWithoutAgent(`--no-warnings --import=${URL}`, URL)).toBe('--no-warnings');
    expect(nodeOptionsWithoutAgent(`--import=${URL}`, URL)).toBe('');
  });
});

describe('shellExport', () => {
  it('single-quotes for POSIX sh, and unsets an empty value', () => {
    expect(shellExport('NODE_OPTIONS', "--title=it's")).toBe(`export NODE_OPTIONS='--title=it'\\''s'`);
    expect(shellExport('NODE_OPTIONS', '')).toBe('unset NODE_OPTIONS');
  });
});
