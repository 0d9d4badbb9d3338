/**
 * The portal's "Env lines" box and `paved env` write the same dotenv lines, and a shell that
 * sources them reads every value back unchanged, running nothing: the portal keeps its own copy
 * of the CLI's quoting (packages/portal/src/request/env-lines.ts; the portal's bundle does not
 * load the CLI), so this holds the two together.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Credentials } from '@paved/model';
import { envLines } from '../packages/portal/src/request/env-lines.js';
import { credentialVariables, formatEnv } from '../packages/cli/src/env-format.js';

const dir = mkdtempSync(join(tmpdir(), 'paved-env-lines-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const values: Record<string, string> = {
  url: 'postgres://pv_a:9f3c@127.0.0.1:5432/pv_a',
  run: `$(touch ${join(dir, 'ran')})`,
  tick: `\`touch ${join(dir, 'ticked')}\``,
  home: '$HOME and ${HOME}',
  quote: "it's",
  doubled: 'say "hi"',
  slash: 'a\\b\\',
  hash: 'x # not a comment',
  lines: 'one\ntwo',
  empty: '',
};
const credentials: Credentials = { instance: 'orders-db', values } as Credentials;

describe('env lines: the portal and paved env', () => {
  it('write the same lines for every value the CLI writes, and a shell reads each back unchanged', () => {
    const portal = envLines(credentials);
    expect(portal).toBe(formatEnv(credentialVariables([credentials], undefined), 'dotenv'));
    const file = join(dir, '.env');
    writeFileSync(file, portal);
    for (const [output, value] of Object.entries(values)) {
      const name = `ORDERS_DB_${output.toUpperCase()}`;
      expect(execFileSync('sh', ['-c', `set -a; . "${file}"; printf %s "$${name}"`], { encoding: 'utf8' }), name).toBe(value);
    }
    expect([existsSync(join(dir, 'ran')), existsSync(join(dir, 'ticked'))]).toEqual([false, false]);
  });

  it('leave out, with a comment, a value no dotenv quoting keeps (the CLI refuses it)', () => {
    const odd: Credentials = { instance: 'orders-db', values: { password: `it's $x` } } as Credentials;
    expect(envLines(odd)).toBe('# ORDERS_DB_PASSWORD: not writable as a dotenv line; use paved env orders-db --format shell\n');
    expect(() => formatEnv(credentialVariables([odd], undefined), 'dotenv')).toThrow(/use --format shell/);
  });
});
