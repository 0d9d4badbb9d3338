/**
 * `paved keys rotate` while `paved up` runs and keeps provisioning: every data key is re-wrapped
 * under a new master key; every credential reads back the same, through the running server and
 * after a restart, and still logs in to the real PostgreSQL. Instances created during the
 * rotation are sealed under the new key, none under the retired one; the audit log still verifies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import {
  dropWithPrefix, freePort, MACHINE_PG_TARGET, paved, pavedOk, requireMachinePostgres, startServer, tempDir, type ServerProcess,
} from './harness.js';

const suffix = Math.random().toString(16).slice(2, 8);
const team = `keys-${suffix}`;
const prefix = `pv_${team.replace(/-/g, '_')}_`;

describe('master-key rotation while the server runs', () => {
  let available = false;
  const dir = tempDir('keys');
  const admin = { PAVED_CLI_CONFIG: join(dir, 'admin.json') };
  const env: NodeJS.ProcessEnv = { ...admin, PAVED_DATA_DIR: join(dir, 'data'), ...MACHINE_PG_TARGET, PAVED_LOG_LEVEL: 'warn' };
  let server: ServerProcess | undefined;
  const up = async () => startServer(['up'], env, { port: Number(env.PAVED_PORT) });

  const reveal = async (name: string) => JSON.parse(await pavedOk(['env', name, '--team', team, '--format', 'json', '--no-prefix'], admin)) as Record<string, string>;
  const logsIn = async (credentials: Record<string, string>) => {
    const client = new pg.Client({ host: credentials.HOST, port: Number(credentials.PORT), user: credentials.USERNAME, password: credentials.PASSWORD, database: credentials.DATABASE });
    await client.connect();
    try {
      return (await client.query<{ u: string }>('SELECT current_user AS u')).rows[0]!.u;
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    available = await requireMachinePostgres();
    if (!available) return;
    env.PAVED_PORT = String(await freePort());
    server = await up();
    await pavedOk(['teams', 'create', team], admin);
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    if (available) await dropWithPrefix(prefix);
  });

  it('re-wraps every secret, loses none written meanwhile, and everything reads back after a restart', async (ctx) => {
    if (!available) return ctx.skip();
    const before = ['db-1', 'db-2', 'db-3', 'db-4'];
    for (const name of before) await pavedOk(['create', 'postgres', name, '--team', team, '--wait'], admin);
    const credentials = new Map<string, Record<string, string>>();
    for (const name of before) credentials.set(name, await reveal(name));
    const oldKeyring = readFileSync(join(dir, 'data', 'master.key'), 'utf8');

    // Instances requested while the rotation runs: their credentials are sealed by the server
    // before, during or after the switch.
    const during = ['db-5', 'db-6', 'db-7', 'db-8'];
    const creating = Promise.all(during.map((name) => paved(['create', 'postgres', name, '--team', team, '--wait'], admin)));
    const rotated = await paved(['keys', 'rotate', '-o', 'json'], env);
    expect(rotated.code, rotated.stderr).toBe(0);
    for (const result of await creating) expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(rotated.stdout) as { key: { version: number; id: string }; rewrapped: number; keyFile: string; backup: string };
    expect(report.key.version).toBe(2);
    expect(report.rewrapped).toBeGreaterThanOrEqual(before.length);
    expect(rotated.stderr).toMatch(/new secrets are now sealed with master key v2/);

    // The key file holds the new key only; the one before is kept aside.
    expect(readFileSync(report.keyFile, 'utf8')).toMatch(/^v2:/m);
    expect(readFileSync(report.keyFile, 'utf8')).not.toMatch(/^v1:/m);
    expect(existsSync(report.backup)).toBe(true);
    expect(readFileSync(report.backup, 'utf8')).toBe(oldKeyring);

    const status = JSON.parse(await pavedOk(['keys', 'status', '-o', 'json'], env)) as { active: { version: number }; secrets: { version?: number; count: number }[] };
    expect(status.active.version).toBe(2);
    expect(status.secrets.map((entry) => entry.version)).toEqual([2]);

    // Through the running server (which never restarted): the same credentials, and they log in.
    for (const name of during) credentials.set(name, await reveal(name));
    for (const [name, values] of credentials) {
      expect(await reveal(name)).toEqual(values);
      expect(await logsIn(values)).toBe(values.USERNAME);
    }
    // After a restart with the rotated key file.
    await server!.stop();
    server = await up();
    for (const [name, values] of credentials) expect(await reveal(name), name).toEqual(values);
    // A later secret (a credential rotation) is sealed with v2 as well.
    await pavedOk(['rotate', 'db-1', '--team', team, '--wait'], admin);
    const again = JSON.parse(await pavedOk(['keys', 'status', '-o', 'json'], env)) as { secrets: { version?: number }[] };
    expect(again.secrets.map((entry) => entry.version)).toEqual([2]);
    // The audit log, written before, during and after the rotation, still verifies as one chain.
    const verified = await paved(['audit', 'verify'], admin);
    expect(verified.code, `${verified.stdout}${verified.stderr}`).toBe(0);
  }, 300_000);
});
