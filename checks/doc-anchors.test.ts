import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { filesUnder, markdownFiles, root } from './repository.js';

/**
 * Links into a section of a document (`docs/architecture.md#the-engine`, `[…](api.md#pagination)`)
 * land on a heading that exists, so that the sections code comments cite stay where they point.
 * A link to a document that does not exist (yet) is not this test's business: only anchors of
 * existing documents are checked.
 */

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/`/g, '').replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const heading = fenced ? undefined : /^#{1,6}\s+(.*?)\s*#*$/.exec(line)?.[1];
    if (heading === undefined) continue;
    let anchor = slug(heading);
    for (let n = 1; anchors.has(anchor); n++) anchor = `${slug(heading)}-${n}`;
    anchors.add(anchor);
  }
  return anchors;
}

interface Reference {
  from: string;
  line: number;
  document: string;
  anchor: string;
}

function references(): Reference[] {
  const found: Reference[] = [];
  for (const file of markdownFiles()) {
    readFileSync(join(root, file), 'utf8').split('\n').forEach((text, index) => {
      for (const m of text.matchAll(/\]\(([^)\s#]*\.md)?#([^)\s]+)\)/g)) {
        found.push({ from: file, line: index + 1, document: m[1] ? normalize(join(dirname(file), m[1])) : file, anchor: m[2]! });
      }
    });
  }
  const code = ['packages', 'checks', 'e2e', 'scripts', 'examples', 'bench'].flatMap((dir) => filesUnder(join(root, dir), /\.(ts|mjs|sh|ya?ml)$/));
  for (const path of code) {
    const file = relative(root, path);
    readFileSync(path, 'utf8').split('\n').forEach((text, index) => {
      for (const m of text.matchAll(/\b(docs\/[\w/.-]+\.md)#([\w-]+)/g)) found.push({ from: file, line: index + 1, document: m[1]!, anchor: m[2]! });
    });
  }
  return found;
}

describe('links to sections of documents', () => {
  const all = references();

  it('are found (a scan that finds none would pass on nothing)', () => {
    expect(all.length).toBeGreaterThan(20);
    expect(all.some((r) => r.from === 'checks/import-graph.test.ts' && r.anchor === 'packages-and-their-boundaries')).toBe(true);
    expect(all.some((r) => r.from === 'docs/api.md' && r.anchor === 'reconciling-now')).toBe(true);
  });

  it('land on a heading of the document', () => {
    const anchors = new Map<string, Set<string>>();
    const broken = all
      .filter((r) => existsSync(join(root, r.document)))
      .filter((r) => {
        if (!anchors.has(r.document)) anchors.set(r.document, anchorsOf(readFileSync(join(root, r.document), 'utf8')));
        return !anchors.get(r.document)!.has(r.anchor);
      })
      .map((r) => `${r.from}:${r.line}: ${r.document}#${r.anchor} has no such heading`);
    expect(broken).toEqual([]);
  });
});
