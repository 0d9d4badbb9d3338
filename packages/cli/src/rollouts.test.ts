import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCatalogue, exampleProductManifest, type Instance, type Rollout } from '@paved/model';
import type { Store } from '@paved/store';
import { cliSandbox, startTestApi } from './test-support.js';

/**
 * `paved upgrade`, `hold`, `unhold` and `rollout` against a real API (SQLite store). No engine
 * runs: what the engine does with an upgrade or a rollout is e2e/rollout.test.ts's business.
 */
let store: Store;
let app: FastifyInstance;
let sandbox: Awaited<ReturnType<typeof cliSandbox>>;
const exit = (kind: keyof typeof errorCatalogue) => errorCatalogue[kind].exitCode;

beforeAll(async () => {
  sandbox = await cliSandbox();
  const api = await startTestApi(sandbox.dir);
  ({ store, app } = api);
  for (const [version, limit] of [['1.0.0', 20], ['1.1.0', 30]] as const) {
    const manifest = exampleProductManifest();
    manifest.metadata.owner = 'platform';
    manifest.spec.driver = 'memory';
    manifest.spec.version = version;
    manifest.spec.plans.small!.values = { connectionLimit: limit };
    delete manifest.spec.targets;
    await store.publishProductVersion({ name: 'postgres', version, manifest, digest: `d-${version}` });
  }
  const shop = await store.createTeam({ name: 'shop', title: 'Shop' });
  for (const name of ['db', 'cache']) {
    await store.createInstance({ teamId: shop.id, name, product: 'postgres', productVersion: '1.0.0', plan: 'small', inputs: {}, externalName: name, target: 'mem', createdBy: 'admin' });
  }
  await sandbox.run(['login', '--url', api.url, '--token', '-'], { stdin: `${api.adminToken}\n` });
});

afterAll(async () => {
  await app?.close();
  await store?.close();
  await sandbox?.cleanup();
});

describe('paved upgrade, hold and rollout', () => {
  const shop = { env: { PAVED_TEAM: 'shop' } };

  it('previews an upgrade, asks before acting, and moves the instance with --yes', async () => {
    const preview = await sandbox.run(['upgrade', 'db', '--dry-run'], shop);
    expect(preview.code, preview.stderr).toBe(0);
    expect(preview.stdout).toBe('shop/db: postgres 1.0.0 → 1.1.0 (plan small)\n  ~ plan small: connectionLimit 20 → 30\n');

    const unasked = await sandbox.run(['upgrade', 'db'], shop);
    expect(unasked.code).toBe(exit('input'));
    expect(unasked.stderr).toContain('pass --yes to upgrade');

    const done = await sandbox.run(['upgrade', 'db', '--yes'], shop);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stderr).toContain('~ plan small: connectionLimit 20 → 30');
    expect(done.stdout).toContain("Upgrading db to 1.1.0: Paved runs the driver's update and the contract checks in the background.");
    const shopTeam = (await store.getTeam({ name: 'shop' }))!;
    expect((await store.getInstanceByName(shopTeam.id, 'db'))!.productVersion).toBe('1.1.0');

    const again = await sandbox.run(['upgrade', 'db', '--to', '1.1.0'], shop);
    expect(again.stdout).toContain('already on that version: nothing to do');
    const down = await sandbox.run(['upgrade', 'db', '--to', '1.0.0', '--yes'], shop);
    expect(down.code).toBe(exit('conflict'));
    expect(down.stderr).toContain('paved upgrade db --to 1.0.0 --allow-downgrade');
  });

  it('holds an instance (also as upgrade --hold), rolls out around it, pauses and resumes', async () => {
    expect((await sandbox.run(['upgrade', 'cache', '--hold'], shop)).code).toBe(exit('input')); // no --reason
    const held = await sandbox.run(['upgrade', 'cache', '--hold', '--reason', 'freeze'], shop);
    expect(held.stdout).toBe('cache is held on its version: rollouts skip it. Lift it with: paved unhold cache\n');
    const get = await sandbox.run(['get', 'cache'], shop);
    expect(get.stdout).toMatch(/held:\s+freeze \(by admin at \d{4}-\d\d-\d\dT[^;]+; rollouts skip it; lift it with: paved unhold cache\)\n/);
    const listed = await sandbox.run(['list'], shop);
    expect(listed.stdout).toMatch(/cache\s+postgres@1\.0\.0 \(held\)\s+small/);
    expect(listed.stdout).not.toMatch(/db\s+postgres@1\.1\.0 \(held\)/);
    const json = JSON.parse((await sandbox.run(['get', 'cache', '-o', 'json'], shop)).stdout) as Instance;
    expect(json.hold).toEqual({ reason: 'freeze', heldBy: 'admin', heldAt: expect.any(String) });

    const missing = await sandbox.run(['rollout', 'postgres']);
    expect(missing.code).toBe(exit('input'));
    // Nothing runs 1.0.0 but the held instance: the rollout has nothing to upgrade, yet starts and reports it.
    const started = await sandbox.run(['rollout', 'postgres', '--to', '1.1.0', '--canary', '50%', '--soak', '0', '-o', 'json']);
    expect(started.code, started.stderr).toBe(0);
    const rollout = JSON.parse(started.stdout) as Rollout;
    expect(rollout.settings).toEqual({ canaryPercent: 50, batchGrowth: 2, soakMs: 0, readyTimeoutMs: 600_000 });
    expect(rollout.targets.map((t) => [t.instance, t.state, t.message])).toEqual([['cache', 'held', 'held by admin: freeze']]);

    const status = await sandbox.run(['rollout', 'status', 'postgres']);
    expect(status.stdout).toContain('postgres → 1.1.0');
    expect(status.stdout).toMatch(/shop\/cache\s+1\.0\.0\s+1\s+held\s+held by admin: freeze/);
    const list = await sandbox.run(['rollout', 'status']);
    expect(list.stdout).toMatch(/postgres\s+1\.1\.0\s+Running\s+1\/1\s+1 held/);

    expect((await sandbox.run(['rollout', 'pause', 'postgres'])).stdout).toMatch(/State:\s+Paused/);
    expect((await sandbox.run(['rollout', 'resume', 'postgres'])).stdout).toMatch(/State:\s+Running/);
    const unheld = await sandbox.run(['unhold', 'cache'], shop);
    expect(unheld.stdout).toBe('cache is not held: the next rollouts upgrade it.\n');
  });
});
