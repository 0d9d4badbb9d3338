/**
 * Fleet rollouts and upgrades end to end, through the real CLI and server, on the machine's
 * PostgreSQL as the target: a product with three versions, where 1.1.0 raises the connection
 * limit (healthy) and 1.2.0 sets it to 0, so the `connect` contract check fails. A rollout to
 * 1.2.0 halts after its canary and rolls the canary back (no instance is left half-upgraded,
 * later waves are never touched); a rollout to 1.1.0 goes through every wave, the driver's
 * update run for real (the roles' connection limits change); a held instance is skipped and
 * reported; `paved upgrade` previews, then moves one instance, its history keeping both
 * versions. Then the server is SIGKILLed between two waves of a rollout and restarted: the
 * rollout resumes and upgrades every instance exactly once.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import type { Rollout } from '@paved/model';
import { apiAs, crashableUpEnv, dropWithPrefix, MACHINE_PG, paved, pavedOk, requireMachinePostgres, startServer, tempDir, waitFor, type ServerProcess } from './harness.js';

const suffix = Math.random().toString(16).slice(2, 8);
const team = `ro-${suffix}`;
const prefix = `pv_${team.replace(/-/g, '_')}_`;
const FINAL = ['Halted', 'Completed'];

/** A postgres product whose versions differ only in plan small's connection limit. */
function manifest(name: string, version: string, connectionLimit: number): string {
  return [
    'apiVersion: paved.dev/v1alpha1',
    'kind: Product',
    `metadata: { name: ${name}, title: Rollout test database, owner: platform, lifecycle: ga }`,
    'spec:',
    `  version: ${version}`,
    '  description: A PostgreSQL database for the rollout end-to-end test.',
    '  driver: postgres',
    '  inputs: { type: object, properties: {}, additionalProperties: false }',
    `  plans: { small: { default: true, values: { connectionLimit: ${connectionLimit} } } }`,
    '  outputs:',
    '    host: {}',
    '    port: {}',
    '    database: {}',
    '    username: {}',
    '    password: { secret: true }',
    '    url: { secret: true }',
    '  checks: [connect, write-read, isolation]',
    '',
  ].join('\n');
}

async function connectionLimit(role: string): Promise<number | undefined> {
  const client = new pg.Client({ connectionString: MACHINE_PG });
  await client.connect();
  try {
    const result = await client.query<{ rolconnlimit: number }>('SELECT rolconnlimit FROM pg_roles WHERE rolname = $1', [role]);
    return result.rows[0]?.rolconnlimit;
  } finally {
    await client.end();
  }
}

describe('fleet rollouts and upgrades end to end', () => {
  let available = false;
  const dir = tempDir('e2e-rollout');
  const admin = { PAVED_CLI_CONFIG: join(dir, 'admin.json'), PAVED_TEAM: team };
  let env: NodeJS.ProcessEnv;
  let server: ServerProcess | undefined;

  const up = (crashAt?: string) => startServer(['up'], { ...env, ...(crashAt ? { PAVED_CRASH_AT: crashAt } : {}) }, { port: Number(env.PAVED_PORT) });
  const publish = async (name: string, version: string, limit: number) => {
    const file = join(dir, `${name}-${version}.yaml`);
    writeFileSync(file, manifest(name, version, limit));
    await pavedOk(['apply', '-f', file], admin);
  };
  const get = async (name: string) => JSON.parse(await pavedOk(['get', name, '-o', 'json'], admin));
  const status = async (product: string): Promise<Rollout> => JSON.parse(await pavedOk(['rollout', 'status', product, '-o', 'json'], admin)) as Rollout;
  const finished = (product: string) => waitFor(`the rollout of ${product} to finish`, async () => {
    const rollout = await status(product);
    return FINAL.includes(rollout.state) ? rollout : undefined;
  }, 180_000);
  const fleet = async (product: string, names: string[]) => {
    for (const name of names) await pavedOk(['create', product, name, '--version', '1.0.0', '--wait'], admin);
  };
  /** The team's events (the API: the CLI has no listing of them). */
  const events = async (): Promise<{ kind: string; data: Record<string, string> }[]> => {
    const { url, token } = JSON.parse(readFileSync(admin.PAVED_CLI_CONFIG, 'utf8')) as { url: string; token: string };
    return apiAs(token).listAll(url, `/teams/${team}/events`);
  };
  const states = (rollout: Rollout) => Object.fromEntries(rollout.targets.map((t) => [t.instance, t.state]));

  beforeAll(async () => {
    available = await requireMachinePostgres();
    if (!available) return;
    env = { ...(await crashableUpEnv(dir, admin)), PAVED_EMBEDDED_POSTGRES: 'off' };
    server = await up();
    await pavedOk(['teams', 'create', team], admin);
  }, 120_000);

  // A failure shows what the server said (its warnings name each failed check and halt).
  beforeEach(() => onTestFailed(() => console.error(`server output:\n${server?.output() ?? '(none)'}`)));

  afterAll(async () => {
    await server?.stop();
    if (available) await dropWithPrefix(prefix);
  });

  it('halts on a version whose contract check fails, rolls the canary back, then rolls a healthy version out in waves', async (ctx) => {
    if (!available) return ctx.skip();
    const product = `pgro-${suffix}`;
    await publish(product, '1.0.0', 20);
    await publish(product, '1.1.0', 30);
    await publish(product, '1.2.0', 0);
    const names = ['ro-a', 'ro-b', 'ro-c', 'ro-d', 'ro-held'];
    await fleet(product, names);
    await pavedOk(['hold', 'ro-held', '--reason', 'quarter-end freeze'], admin);

    await pavedOk(['rollout', product, '--to', '1.2.0', '--canary', '25%', '--soak', '1s'], admin);
    const halted = await finished(product);
    expect(halted.state, JSON.stringify(halted)).toBe('Halted');
    expect(states(halted)).toEqual({ 'ro-a': 'rolled-back', 'ro-b': 'pending', 'ro-c': 'pending', 'ro-d': 'pending', 'ro-held': 'held' });
    expect(halted.message).toMatch(/halted in wave 1 of 3: .*\/ro-a: contract check connect failed/);
    expect(halted.targets.find((t) => t.instance === 'ro-held')?.message).toContain('quarter-end freeze');
    // No instance is left half-upgraded: every one is Ready on 1.0.0, the canary with its connection limit back.
    for (const name of names) {
      const instance = await get(name);
      expect([name, instance.productVersion, instance.status.phase, instance.observedGeneration]).toEqual([name, '1.0.0', 'Ready', instance.generation]);
    }
    expect(await connectionLimit((await get('ro-a')).externalName)).toBe(20);
    const moves = (await events()).filter((e) => ['instance.upgraded', 'instance.rolled-back'].includes(e.kind) && e.data.name === 'ro-a');
    expect(moves.map((e) => [e.kind, e.data.from, e.data.to])).toEqual([['instance.upgraded', '1.0.0', '1.2.0'], ['instance.rolled-back', '1.2.0', '1.0.0']]);

    await pavedOk(['rollout', product, '--to', '1.1.0', '--canary', '25%', '--soak', '1s'], admin);
    const completed = await finished(product);
    expect(completed.state, JSON.stringify(completed)).toBe('Completed');
    expect(completed.waves).toBe(3);
    expect(states(completed)).toEqual({ 'ro-a': 'upgraded', 'ro-b': 'upgraded', 'ro-c': 'upgraded', 'ro-d': 'upgraded', 'ro-held': 'held' });
    for (const name of ['ro-a', 'ro-b', 'ro-c', 'ro-d']) {
      const instance = await get(name);
      expect([instance.productVersion, instance.status.phase, instance.status.checks.every((c: { passed: boolean }) => c.passed)]).toEqual(['1.1.0', 'Ready', true]);
      expect(await connectionLimit(instance.externalName)).toBe(30);
    }
    expect((await get('ro-held')).productVersion).toBe('1.0.0');
    const listed = JSON.parse(await pavedOk(['rollout', 'status', '-o', 'json'], admin));
    expect(listed.items.slice(0, 2).map((r: Rollout) => [r.product, r.toVersion, r.state])).toEqual([[product, '1.1.0', 'Completed'], [product, '1.2.0', 'Halted']]);

    // The held instance, by hand: the preview names the plan's changed limit; a dry run changes nothing.
    const preview = JSON.parse(await pavedOk(['upgrade', 'ro-held', '--dry-run', '-o', 'json'], admin));
    expect(preview.preview).toMatchObject({ from: '1.0.0', to: '1.2.0', plan: 'small' }); // latest release
    expect(preview.preview.changes).toEqual([{ area: 'plans', path: 'small.connectionLimit', change: 'changed', message: 'plan small: connectionLimit 20 → 0' }]);
    expect((await get('ro-held')).productVersion).toBe('1.0.0');
    const unconfirmed = await paved(['upgrade', 'ro-held', '--to', '1.1.0'], admin);
    expect(unconfirmed.code, unconfirmed.stderr).toBe(2); // not a terminal and no --yes
    expect(unconfirmed.stderr).toContain('--yes');
    await pavedOk(['upgrade', 'ro-held', '--to', '1.1.0', '--yes', '--wait'], admin);
    const upgraded = await get('ro-held');
    expect([upgraded.productVersion, upgraded.status.phase]).toEqual(['1.1.0', 'Ready']);
    expect(await connectionLimit(upgraded.externalName)).toBe(30);
    const downgrade = await paved(['upgrade', 'ro-held', '--to', '1.0.0', '--yes'], admin);
    expect(downgrade.code).toBe(6);
    expect(downgrade.stderr).toContain('--allow-downgrade');
    await pavedOk(['unhold', 'ro-held'], admin);
  }, 600_000);

  it('resumes a rollout after the server is killed between two waves, upgrading each instance once', async (ctx) => {
    if (!available) return ctx.skip();
    const product = `pgcr-${suffix}`;
    await publish(product, '1.0.0', 20);
    await publish(product, '1.1.0', 30);
    const names = ['cr-a', 'cr-b', 'cr-c'];
    await fleet(product, names);
    await server!.stop();

    const crashing = await up('rollout:after-wave');
    server = crashing;
    await pavedOk(['rollout', product, '--to', '1.1.0', '--canary', '34%', '--soak', '1s'], admin);
    const exit = await crashing.exited;
    expect(exit.signal).toBe('SIGKILL');

    server = await up();
    const completed = await finished(product);
    expect(completed.state, JSON.stringify(completed)).toBe('Completed');
    expect(states(completed)).toEqual({ 'cr-a': 'upgraded', 'cr-b': 'upgraded', 'cr-c': 'upgraded' });
    const history = await events();
    for (const name of names) {
      const instance = await get(name);
      expect([instance.productVersion, instance.status.phase]).toEqual(['1.1.0', 'Ready']);
      const moves = history.filter((e) => e.kind === 'instance.upgraded' && e.data.name === name);
      expect(moves, name).toHaveLength(1);
    }
  }, 600_000);
});
