import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { exitCodeTable } from './exit-codes.js';
import { captureIo } from './test-support.js';
import { buildProgram } from './program.js';

const docPath = new URL('../../../docs/cli.md', import.meta.url);

describe('docs/cli.md', () => {
  it('has the exit code table generated from errorCatalogue', async () => {
    const doc = await readFile(docPath, 'utf8');
    const match = /<!-- exit-codes:start -->\n([\s\S]*?)\n<!-- exit-codes:end -->/.exec(doc);
    expect(match, 'exit-codes markers in docs/cli.md').not.toBeNull();
    expect(match![1]).toBe(exitCodeTable());
  });

  it('documents every command', async () => {
    const doc = await readFile(docPath, 'utf8');
    const program = buildProgram({ io: captureIo({}), setExitCode: () => {} });
    const names = program.commands.flatMap((c) => c.commands.length > 0 ? c.commands.map((s) => `${c.name()} ${s.name()}`) : [c.name()]);
    const missing = names.filter((name) => !doc.includes(`paved ${name}`));
    expect(missing).toEqual([]);
  });
});
