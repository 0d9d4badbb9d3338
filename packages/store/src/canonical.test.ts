import { describe, expect, it } from 'vitest';
import { canonicalJson, canonicalStatusHash, sameStatusHash, sha256, statusHash, statusHashOf } from './canonical.js';

describe('statusHash', () => {
  const status = { phase: 'Ready', conditions: [{ type: 'Ready', status: 'True', reason: 'Available', message: 'kv "x" is "ready"\n', lastTransitionAt: '2026-12-04T17:00:00.000Z', skipped: undefined }], readyAt: '2026-12-04T17:00:00.000Z' };
  const outputs = { name: 'pv_x', host: 'h\u00e9' };

  it('hashes the status as stored, the outputs\' canonical JSON and the observed generation: the status is not sorted again', () => {
    for (const generation of [0, 1, 42]) {
      const hash = statusHashOf(JSON.stringify(status), canonicalJson(outputs), generation);
      expect(statusHash(status, outputs, generation)).toBe(hash);
      expect(hash).toBe(`t${sha256(`${generation}\n${canonicalJson(outputs)}\n${JSON.stringify(status)}`)}`);
      // The same outputs in another order are the same; another generation is not.
      expect(statusHash(status, { host: 'h\u00e9', name: 'pv_x' }, generation)).toBe(hash);
      expect(hash).not.toBe(statusHash(status, outputs, generation + 1));
    }
    // The parts cannot run into each other: JSON has no raw newline.
    expect(statusHashOf('{"a":"1\\n2"}', '{}', 1)).not.toBe(statusHashOf('{"a":"1', '2"}', 1));
  });

  it('still says "same" of a row hashed before, from canonical JSON, whatever the keys\' order; asks for the values only then', () => {
    const before = sha256(canonicalJson({ status, outputs, observedGeneration: 3 }));
    expect(canonicalStatusHash(status, outputs, 3)).toBe(before);
    const reordered = { readyAt: status.readyAt, conditions: status.conditions, phase: 'Ready' };
    const hash = statusHash(reordered, outputs, 3);
    let asked = 0;
    expect(sameStatusHash(before, hash, () => { asked++; return [reordered, { host: 'h\u00e9', name: 'pv_x' }, 3]; })).toBe(true);
    expect(sameStatusHash(before, hash, () => [status, outputs, 4])).toBe(false);
    expect(sameStatusHash(hash, hash, () => { asked++; return [status, outputs, 3]; })).toBe(true);
    // A hash of this kind that differs is a change: nothing canonical to compare.
    expect(sameStatusHash(statusHash(status, {}, 3), hash, () => { asked++; return [reordered, outputs, 3]; })).toBe(false);
    expect(asked).toBe(1);
  });
});
