/**
 * `paved backup` of the embedded default while `paved up` runs, and `paved restore` into an
 * empty data folder: the restored Paved serves every instance and every secret (each read back),
 * and the tenants' data is back in their databases, as of the backup. A backup with Paved
 * stopped starts the embedded cluster for the copy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { freePort, paved, pavedOk, removeSharedCluster, startEmbeddedPaved, startServer, tempDir, waitFor, type ServerProcess } from './harness.js';

const team = 'keepers';

function settings(env: Record<string, string>) {
  return { host: env.HOST, port: Number(env.PORT), user: env.USERNAME, password: env.PASSWORD, database: env.DATABASE, connectionTimeoutMillis: 5000 };
}

async function sql<T extends pg.QueryResultRow>(env: Record<string, string>, text: string): Promise<T[]> {
  const client = new pg.Client(settings(env));
  client.on('error', () => {});
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end().catch(() => {});
  }
}

describe('backup and restore of the embedded default', () => {
  const dir = tempDir('backup');
  const admin = { PAVED_CLI_CONFIG: join(dir, 'admin.json') };
  const restoredAdmin = { PAVED_CLI_CONFIG: join(dir, 'restored-admin.json') };
  const restoredDir = join(dir, 'restored');
  let original: Awaited<ReturnType<typeof startEmbeddedPaved>> | undefined;
  let restored: ServerProcess | undefined;

  beforeAll(async () => {
    original = await startEmbeddedPaved(dir, admin);
  }, 180_000);

  afterAll(async () => {
    await restored?.stop();
    await original?.cleanup();
    removeSharedCluster(restoredDir);
  });

  it('restores every instance, secret and tenant row into an empty data folder', async () => {
    const { env } = original!;
    await pavedOk(['teams', 'create', team], admin);
    for (const name of ['orders-db', 'users-db']) await pavedOk(['create', 'postgres', name, '--team', team, '--wait'], admin);
    await pavedOk(['create', 'secret', 'signing-key', '--team', team, '--wait'], admin);
    const reveal = async (cli: NodeJS.ProcessEnv, name: string) => JSON.parse(await pavedOk(['env', name, '--team', team, '--format', 'json', '--no-prefix'], cli)) as Record<string, string>;
    const before = new Map<string, Record<string, string>>();
    for (const name of ['orders-db', 'users-db', 'signing-key']) before.set(name, await reveal(admin, name));
    await sql(before.get('orders-db')!, "CREATE TABLE orders (id int, item text); INSERT INTO orders VALUES (1, 'kept')");

    const archive = join(dir, 'paved-backup.tar.gz');
    const backup = await paved(['backup', archive], env);
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stderr).toMatch(/copying the embedded PostgreSQL cluster/);
    expect(backup.stderr).toMatch(/snapshotting the store/);
    expect(backup.stdout).toMatch(/The master key is not in it/);
    // Written after the backup: not in it.
    await sql(before.get('orders-db')!, "INSERT INTO orders VALUES (2, 'after the backup')");

    // The machine is lost: the original stops. The restore takes its place, on the same
    // embedded PostgreSQL port (the instances' connection details name it).
    await original!.server.stop();
    const restoreEnv = { ...restoredAdmin, PAVED_DATA_DIR: restoredDir, PAVED_PORT: String(await freePort()), PAVED_EMBEDDED_POSTGRES_PORT: env.PAVED_EMBEDDED_POSTGRES_PORT, PAVED_LOG_LEVEL: 'warn' };
    // Without the key: refused before anything is written.
    const keyless = await paved(['restore', archive], restoreEnv);
    expect(keyless.code).toBe(2);
    expect(keyless.stderr).toMatch(/does not hold the master key \(by design\); give the key file it needs with --master-key-file/);
    expect(existsSync(restoredDir) ? readdirSync(restoredDir) : []).toEqual([]);

    const restore = await paved(['restore', archive, '--master-key-file', join(env.PAVED_DATA_DIR!, 'master.key')], restoreEnv);
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stdout).toMatch(/3 instances; \d+ secrets read back with the master key/);
    expect(restore.stdout).toMatch(/embedded PostgreSQL: 2 tenant databases/);

    restored = await startServer(['up'], restoreEnv, { port: Number(restoreEnv.PAVED_PORT), timeoutMs: 120_000 });
    const listed = JSON.parse(await pavedOk(['list', '--team', team, '-o', 'json'], restoredAdmin));
    const items: { name: string }[] = Array.isArray(listed) ? listed : listed.items;
    expect(items.map((i) => i.name).sort()).toEqual(['orders-db', 'signing-key', 'users-db']);
    for (const name of before.keys()) {
      await waitFor(`${name} Ready`, async () => JSON.parse(await pavedOk(['get', name, '--team', team, '-o', 'json'], restoredAdmin)).status.phase === 'Ready');
    }
    for (const [name, values] of before) {
      const now = await reveal(restoredAdmin, name);
      expect(now, name).toEqual(values);
    }
    const rows = await sql<{ id: number; item: string }>(await reveal(restoredAdmin, 'orders-db'), 'SELECT id, item FROM orders ORDER BY id');
    expect(rows).toEqual([{ id: 1, item: 'kept' }]);
    expect(readFileSync(join(restoredDir, 'master.key'), 'utf8')).toBe(readFileSync(join(env.PAVED_DATA_DIR!, 'master.key'), 'utf8'));

    // With Paved stopped, the backup starts the embedded cluster itself, and stops it after.
    await restored.stop();
    const offline = await paved(['backup', join(dir, 'offline.tar.gz')], restoreEnv);
    expect(offline.code, offline.stderr).toBe(0);
    expect(offline.stderr).toMatch(/the embedded PostgreSQL server is not running: starting it for the backup/);
    expect(offline.stdout).toMatch(/3 instances; .*\n.*embedded PostgreSQL \d+: 2 tenant databases/);
  }, 400_000);
});
