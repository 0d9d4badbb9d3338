import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONDITION_REASONS, CONDITION_TYPES } from './conditions.js';

/**
 * docs/conditions.md is the users' page for every condition type and reason; conditions.ts is
 * the closed list the engine writes from. Each row of the page must be exactly the code's row,
 * and the page may hold no reason or type the code does not have.
 */
const docs = readFileSync(new URL('../../../docs/conditions.md', import.meta.url), 'utf8');
const section = (heading: string) => docs.slice(docs.indexOf(`\n## ${heading}\n`)).split(/\n## /)[1] ?? '';
/** The first cell of every table row in `text` that names a `Word`. */
const named = (text: string) => [...text.matchAll(/^\| `([A-Za-z]+)` \|/gm)].map((match) => match[1]!);

describe('docs/conditions.md', () => {
  it('has a section for the condition types and one for the reasons', () => {
    expect(named(section('Condition types')).length).toBeGreaterThan(0);
    expect(named(section('Reasons')).length).toBeGreaterThan(0);
  });

  it('documents every condition type as the code defines it, and no other', () => {
    for (const [type, meaning] of Object.entries(CONDITION_TYPES)) {
      expect(docs, type).toContain(`| \`${type}\` | ${meaning} |`);
    }
    expect(named(section('Condition types')).sort()).toEqual(Object.keys(CONDITION_TYPES).sort());
  });

  it('documents every reason with where it appears, its meaning and what to do, as the code says', () => {
    for (const [reason, doc] of Object.entries(CONDITION_REASONS)) {
      const action = 'action' in doc ? doc.action : '—';
      expect(docs, reason).toContain(`| \`${reason}\` | ${doc.on.join(', ')} | ${doc.meaning} | ${action} |`);
    }
  });

  it('documents no reason the code does not have, and none twice', () => {
    const documented = named(section('Reasons'));
    expect(documented.filter((reason) => !Object.hasOwn(CONDITION_REASONS, reason))).toEqual([]);
    expect(new Set(documented).size).toBe(documented.length);
  });
});

describe('CONDITION_REASONS', () => {
  it('are CamelCase words, each with a one-line meaning and somewhere to appear', () => {
    for (const [reason, doc] of Object.entries(CONDITION_REASONS)) {
      expect(reason).toMatch(/^[A-Z][A-Za-z]+$/);
      expect(doc.on.length, reason).toBeGreaterThan(0);
      for (const line of [doc.meaning, 'action' in doc ? doc.action : '']) expect(line, reason).not.toMatch(/[\n|]/);
    }
  });
});
