/**
 * `paved rotate` end to end, through the built CLI and server, on the embedded PostgreSQL that
 * `paved up` starts (it checks passwords; the machine's server trusts every local login). A
 * product with a 3 s grace period: during it, a connection opened before the rotation and new
 * connections with the old password keep working; after it, the old password is refused and
 * the old session is ended, while the new credentials work.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { Instance } from '@paved/model';
import { paved, pavedOk, startEmbeddedPaved, tempDir } from './harness.js';

const GRACE = '3s';

/** products/postgres.yaml as another product with a short grace period. */
function shortGraceProduct(): string {
  const builtIn = readFileSync(new URL('../products/postgres.yaml', import.meta.url), 'utf8');
  const text = builtIn
    .replace(/^  name: postgres$/m, '  name: pg-rotating')
    .replace(/^  version: .*$/m, '  version: 1.0.0')
    .replace(/^  docs: .*\n/m, '')
    .replaceAll('gracePeriod: 1h', `gracePeriod: ${GRACE}`);
  expect(text).toContain(`gracePeriod: ${GRACE}`);
  expect(text).toContain('checks: [connect, write-read, isolation]');
  return text;
}

function settings(env: Record<string, string>) {
  return { host: env.HOST, port: Number(env.PORT), user: env.USERNAME, password: env.PASSWORD, database: env.DATABASE, connectionTimeoutMillis: 5000 };
}

async function query(env: Record<string, string>, sql = 'SELECT current_user AS u'): Promise<string> {
  const client = new pg.Client(settings(env));
  client.on('error', () => {});
  await client.connect();
  try {
    return (await client.query<{ u: string }>(sql)).rows[0]?.u ?? '';
  } finally {
    await client.end().catch(() => {});
  }
}

describe('credential rotation end to end', () => {
  const dir = tempDir('rotation');
  const admin = { PAVED_CLI_CONFIG: join(dir, 'admin.json') };
  const team = ['--team', 'rotators'];
  let cleanup: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    cleanup = (await startEmbeddedPaved(dir, admin)).cleanup;
  }, 180_000);

  afterAll(async () => {
    await cleanup?.();
  });

  it('keeps the old credentials working through the grace period, then refuses them', async () => {
    const manifest = join(dir, 'pg-rotating.yaml');
    writeFileSync(manifest, shortGraceProduct());
    await pavedOk(['apply', '-f', manifest], admin);
    await pavedOk(['teams', 'create', 'rotators'], admin);
    const created = await paved(['create', 'pg-rotating', 'app-db', ...team, '--wait'], admin);
    expect(created.code, created.stderr).toBe(0);
    const ready = JSON.parse(await pavedOk(['get', 'app-db', ...team, '-o', 'json'], admin)) as Instance;
    expect(ready.status.conditions.find((c) => c.type === 'ContractChecks')).toMatchObject({ status: 'True', message: 'contract checks passed: connect, write-read, isolation' });

    const reveal = async () => JSON.parse(await pavedOk(['env', 'app-db', ...team, '--format', 'json', '--no-prefix'], admin)) as Record<string, string>;
    const old = await reveal();
    const session = new pg.Client(settings(old));
    session.on('error', () => {});
    await session.connect();
    await session.query('CREATE TABLE notes (body text)');

    const rotated = await paved(['rotate', 'app-db', ...team, '--wait'], admin);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toMatch(/app-db has new credentials \(credential #1/);
    expect(rotated.stdout).toMatch(/previous credentials keep working until \S+Z/);
    const fresh = await reveal();
    expect(fresh.USERNAME).toBe(`${old.USERNAME}_r1`);
    expect(fresh.PASSWORD).not.toBe(old.PASSWORD);

    // During the grace period: the open session and new logins with the old password work.
    const instance = JSON.parse(await pavedOk(['get', 'app-db', ...team, '-o', 'json'], admin)) as Instance;
    const revokeAt = Date.parse(instance.credentials.previousRevokeAt!);
    let oldLogins = 0;
    while (Date.now() < revokeAt - 600) {
      await query(old);
      await session.query("INSERT INTO notes VALUES ('still here')");
      oldLogins++;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(oldLogins).toBeGreaterThan(0);
    // The new login works, and acts as the owner role.
    expect(await query(fresh)).toBe(old.USERNAME);

    // After the grace period the engine revokes the old credentials.
    const deadline = Date.now() + 20_000;
    for (;;) {
      const now = JSON.parse(await pavedOk(['get', 'app-db', ...team, '-o', 'json'], admin)) as Instance;
      if (now.credentials.previousRevokeAt === undefined) break;
      if (Date.now() > deadline) throw new Error('the old credentials were never revoked');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await expect(query(old)).rejects.toThrow(/not permitted to log in|password authentication failed/);
    await expect(session.query('SELECT 1')).rejects.toThrow();
    await session.end().catch(() => {});
    expect(await query(fresh, 'SELECT count(*)::text AS u FROM notes')).toBe(String(oldLogins));

    await pavedOk(['delete', 'app-db', ...team, '--wait'], admin);
    await expect(query(fresh)).rejects.toThrow(/password authentication failed|does not exist/);
  }, 120_000);
});
