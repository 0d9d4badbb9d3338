import { describe, expect, it } from 'vitest';
import { externalNameFor } from './names.js';
import { newId } from './ids.js';

describe('newId', () => {
  it('is a version 7 UUID that sorts by its millisecond', () => {
    const early = newId(1_700_000_000_000);
    const late = newId(1_700_000_000_001);
    expect(early).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(early.slice(0, 13)).toBe('018bcfe5-6800');
    expect(early < late).toBe(true);
  });

  it('differs within one millisecond, and so do the external names made from it', () => {
    const ids = Array.from({ length: 1000 }, () => newId(1_700_000_000_000));
    expect(new Set(ids).size).toBe(1000);
    expect(new Set(ids.map((id) => externalNameFor('team', 'db', id))).size).toBeGreaterThan(990);
  });
});
