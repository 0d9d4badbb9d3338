/**
 * Crash test: the server is SIGKILLed at named points during provisioning and deletion
 * (PAVED_CRASH_AT makes it kill itself the moment the engine reaches that point, which is
 * exactly a power cut there), then restarted. Every instance must end in its desired state,
 * with exactly one database and one role per live instance and nothing orphaned.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import {
  crashableUpEnv, dropWithPrefix, MACHINE_PG, paved, pavedOk, requireMachinePostgres, resourcesWithPrefix, startServer, tempDir, watchInstance,
} from './harness.js';

const CREATE_POINTS = ['create:after-intent', 'create:after-driver', 'create:after-secrets'];
const INTENT_AT_CREATE_POINTS = ['create:after-intent', 'create:after-driver'];
const DELETE_POINTS = ['delete:before:revoke-login', 'delete:after:drop-database', 'delete:after:drop-role', 'delete:before-forget'];
const suffix = Math.random().toString(16).slice(2, 8);
const team = `crash-${suffix}`;
const prefix = `pv_${team.replace(/-/g, '_')}_`;

describe('crash test: SIGKILL during provisioning and deletion', () => {
  let available = false;
  const dir = tempDir('crash');
  const admin = { PAVED_CLI_CONFIG: join(dir, 'admin.json') };
  let env: NodeJS.ProcessEnv;

  const instance = async (name: string) => {
    const result = await paved(['get', name, '--team', team, '-o', 'json'], admin);
    return result.code === 0 ? JSON.parse(result.stdout) : undefined;
  };
  const up = async (crashAt?: string) => startServer(['up'], { ...env, ...(crashAt ? { PAVED_CRASH_AT: crashAt } : {}) }, { port: Number(env.PAVED_PORT) });

  /** Every live instance has exactly its one database and role; nothing else carries the team's prefix. */
  const assertNoOrphans = async (live: string[]) => {
    const names: string[] = [];
    for (const name of live) {
      const got = await instance(name);
      expect(got?.status.phase, `${name}: ${JSON.stringify(got?.status)}`).toBe('Ready');
      names.push(got.externalName);
    }
    names.sort();
    expect(await resourcesWithPrefix(prefix)).toEqual({ databases: names, roles: names });
  };

  beforeAll(async () => {
    available = await requireMachinePostgres();
    if (!available) return;
    env = await crashableUpEnv(dir, admin);
    const server = await up();
    await pavedOk(['teams', 'create', team], admin);
    await server.stop();
  }, 120_000);

  afterAll(async () => {
    if (available) await dropWithPrefix(prefix);
  });

  it.each(CREATE_POINTS)('resumes a create killed at %s', async (point, ctx) => {
    if (!available) return ctx.skip();
    const name = `c-${point.replace(/[^a-z]+/g, '-')}`.slice(0, 40).replace(/-$/, '');
    const crashing = await up(point);
    // The request may or may not be answered before the engine reaches the crash point.
    await paved(['create', 'postgres', name, '--team', team], admin);
    const exit = await crashing.exited;
    expect(exit.signal).toBe('SIGKILL');

    const server = await up();
    try {
      const live = (await instance(name)) ? [name] : [];
      for (const n of live) await watchInstance(admin, team, n, (i) => i.status.phase === 'Ready');
      await assertNoOrphans(await liveNames());
    } finally {
      await server.stop();
    }
  }, 120_000);

  // A create the running worker takes at once, the first after the start included (the sealing key
  // looked up as the worker started, the product version handed by the request): its first intent
  // is recorded in the create's own transaction (engine create-intent.ts), so the kill comes right
  // after the create's commit, or after the driver's call that followed it with no write between.
  it.each(INTENT_AT_CREATE_POINTS)('resumes the first create after a start, its intent recorded by its own transaction, killed at %s', async (point, ctx) => {
    if (!available) return ctx.skip();
    const name = `i-${point.replace(/[^a-z]+/g, '-')}`.slice(0, 40).replace(/-$/, '');
    const crashing = await up(point);
    const created = await paved(['create', 'postgres', name, '--team', team, '-o', 'json'], admin);
    // Answered before the kill (always, before a driver call's): what was committed, the intent with it.
    if (created.code === 0) expect(JSON.parse(created.stdout).status.phase).toBe('Provisioning');
    else expect(point).toBe('create:after-intent');
    const exit = await crashing.exited;
    expect(exit.signal).toBe('SIGKILL');

    const server = await up();
    try {
      expect((await instance(name))?.name).toBe(name);
      await watchInstance(admin, team, name, (i) => i.status.phase === 'Ready');
      await assertNoOrphans(await liveNames());
    } finally {
      await server.stop();
    }
  }, 120_000);

  it.each(DELETE_POINTS)('resumes a delete killed at %s', async (point, ctx) => {
    if (!available) return ctx.skip();
    const name = `d-${point.replace(/[^a-z]+/g, '-')}`.slice(0, 40).replace(/-$/, '');
    let server = await up();
    await pavedOk(['create', 'postgres', name, '--team', team, '--wait'], admin);
    await server.stop();

    const crashing = await up(point);
    await paved(['delete', name, '--team', team], admin);
    const exit = await crashing.exited;
    expect(exit.signal).toBe('SIGKILL');

    server = await up();
    try {
      await watchInstance(admin, team, name, 'deleted');
      await assertNoOrphans(await liveNames());
    } finally {
      await server.stop();
    }
  }, 120_000);

  async function liveNames(): Promise<string[]> {
    const list = JSON.parse(await pavedOk(['list', '--team', team, '-o', 'json'], admin));
    const items: { name: string }[] = Array.isArray(list) ? list : list.items;
    return items.map((i) => i.name);
  }
});
