/**
 * `paved rotate` end to end, through the built CLI and server, on the embedded PostgreSQL that
 * `paved up` starts (it checks passwords; the machine's server trusts every local login). A
 * product with a 10 s grace period: during it, a connection opened before the rotation and new
 * connections with the old password keep working; after it, the old password is refused and
 * the old session is ended, while the new credentials work. The grace period is the server's
 * timing: the checks inside it run first and prove they finished in time, and its end is
 * awaited by polling the instance, with a deadline.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { Instance } from '@paved/model';
import { paved, pavedOk, startEmbeddedPaved, tempDir, waitFor } from './harness.js';

const GRACE = '10s';

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
    const revokeAt = Date.parse(/previous credentials keep working until (\S+Z)/.exec(rotated.stdout)?.[1] ?? '');
    expect(revokeAt).toBeGreaterThan(0);

    // During the grace period: the open session and a new login with the old password work.
    await session.query("INSERT INTO notes VALUES ('still here')");
    expect(await query(old)).toBe(old.USERNAME);
    expect(Date.now(), 'the checks above ran inside the grace period').toBeLessThan(revokeAt);
    const fresh = await reveal();
    expect(fresh.USERNAME).toBe(`${old.USERNAME}_r1`);
    expect(fresh.PASSWORD).not.toBe(old.PASSWORD);
    // The new login works, and acts as the owner role.
    expect(await query(fresh)).toBe(old.USERNAME);

    // After the grace period the engine revokes the old credentials.
    const current = async () => JSON.parse(await pavedOk(['get', 'app-db', ...team, '-o', 'json'], admin)) as Instance;
    await waitFor('the old credentials to be revoked', async () => (await current()).credentials.previousRevokeAt === undefined, 60_000);
    await expect(query(old)).rejects.toThrow(/not permitted to log in|password authentication failed/);
    await expect(session.query('SELECT 1')).rejects.toThrow();
    await session.end().catch(() => {});
    expect(await query(fresh, 'SELECT count(*)::text AS u FROM notes')).toBe('1');

    await pavedOk(['delete', 'app-db', ...team, '--wait'], admin);
    await expect(query(fresh)).rejects.toThrow(/password authentication failed|does not exist/);
  }, 120_000);
});
