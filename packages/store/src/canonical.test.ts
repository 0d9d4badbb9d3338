import { describe, expect, it } from 'vitest';
import { canonicalJson, sha256, statusHash } from './canonical.js';

describe('statusHash', () => {
  it('hashes the canonical JSON of status, outputs and observed generation, whatever their keys\' order', () => {
    const status = { phase: 'Ready', conditions: [{ type: 'Ready', status: 'True', reason: 'Available', message: 'kv "x" is "ready"\n', lastTransitionAt: '2026-12-04T17:00:00.000Z', skipped: undefined }], readyAt: '2026-12-04T17:00:00.000Z' };
    const outputs = { name: 'pv_x', host: 'h\u00e9' };
    for (const generation of [0, 1, 42]) {
      const expected = sha256(canonicalJson({ status, outputs, observedGeneration: generation }));
      expect(statusHash(status, outputs, generation)).toBe(expected);
      expect(statusHash({ readyAt: status.readyAt, conditions: status.conditions, phase: 'Ready' }, { host: 'h\u00e9', name: 'pv_x' }, generation)).toBe(expected);
    }
    expect(statusHash(status, {}, 3)).toBe(sha256(canonicalJson({ status, outputs: {}, observedGeneration: 3 })));
    expect(statusHash(status, undefined, 3)).toBe(sha256(canonicalJson({ status, observedGeneration: 3 })));
  });
});
