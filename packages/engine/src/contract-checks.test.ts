import { targetUnreachable, type ContractCheck } from '@paved/driver-api';
import { createMemoryDriver } from '@paved/driver-memory';
import { eachStore } from '@paved/store/testing';
import type { SecretStore } from '@paved/secrets';
import { describe, expect, it, vi } from 'vitest';
import { runContractChecks } from './contract-checks.js';
import { ManualClock } from './test-harness.js';
import { kvManifest, makeWorld } from './test-harness.js';

const checked = () => kvManifest({ checks: ['connect', 'write-read', 'isolation'] });

eachStore('engine: contract checks', (open) => {
  it('runs the product checks with the issued credentials before Ready and records each result', async () => {
    const world = await makeWorld(open, { manifest: checked() });
    const { id } = await world.request('db');
    await world.drain();
    const instance = (await world.store.getInstance(id))!;
    expect(instance.status.phase).toBe('Ready');
    expect(instance.status.conditions.find((c) => c.type === 'ContractChecks')).toMatchObject({
      status: 'True', reason: 'ChecksPassed', message: 'contract checks passed: connect, write-read, isolation',
    });
    expect(instance.status.checks).toEqual([
      { name: 'connect', passed: true, message: 'passed' },
      { name: 'write-read', passed: true, message: 'passed' },
      { name: 'isolation', passed: true, message: 'passed' },
    ]);
    // A drift pass where nothing changed runs no check.
    const ran = world.driver.calls().check;
    await world.store.touch(id);
    await world.drain();
    expect(world.driver.calls().check).toBe(ran);
    expect((await world.store.getInstance(id))!.status).toEqual(instance.status);
  });

  it('a failed check fails the instance, naming the check; a later pass re-runs the checks and it becomes Ready', async () => {
    const world = await makeWorld(open, { manifest: checked() });
    world.driver.failCheck('isolation', 'memory check isolation: the token also opens "other"');
    const { id } = await world.request('db');
    await world.engine().runOnce();
    const failed = (await world.store.getInstance(id))!;
    expect(failed.status.phase).toBe('Failed');
    expect(failed.status.conditions.find((c) => c.type === 'ContractChecks')).toMatchObject({
      status: 'False', reason: 'CheckFailed', message: `contract check 'isolation' failed: memory check isolation: the token also opens "other"`,
    });
    expect(failed.status.conditions.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'CheckFailed' });
    expect(failed.status.lastError).toContain('the token also opens');
    expect(failed.status.checks?.map((c) => [c.name, c.passed])).toEqual([['connect', true], ['write-read', true], ['isolation', false]]);
    const events = await world.store.listEvents({ instanceId: id, kinds: ['instance.failed'] });
    expect(events.items[0]?.data).toMatchObject({ reason: 'CheckFailed', check: 'isolation' });

    await world.drain();
    const ready = (await world.store.getInstance(id))!;
    expect(ready.status.phase).toBe('Ready');
    expect(ready.status.conditions.find((c) => c.type === 'ContractChecks')?.status).toBe('True');
    expect(ready.status.lastError).toBeUndefined();
    expect(world.driver.calls()).toMatchObject({ create: 1, update: 0 });
  });

  it('runs the checks while the issued credentials are stored; a failed write is the create\'s failure, with nothing recorded Ready', async () => {
    const world = await makeWorld(open, { manifest: checked() });
    // The credentials' write waits for a check to start, so this pass only ends if they overlap.
    let checkStarted!: () => void;
    const started = new Promise<void>((resolve) => (checkStarted = resolve));
    const driver = { ...world.driver, checks: world.driver.checks!.map((c) => ({ ...c, run: (ctx: Parameters<ContractCheck['run']>[0]) => (checkStarted(), c.run(ctx)) })) };
    let refuse = true;
    const secrets: SecretStore = {
      ...world.secrets,
      async put(ownerId, name, values) {
        if (name === 'credentials' && refuse) {
          refuse = false;
          await started;
          throw new Error('the store is briefly unreachable');
        }
        return world.secrets.put(ownerId, name, values);
      },
    };
    const engine = world.engine({ secrets, drivers: { memory: driver } });
    const { id } = await world.request('db');
    await engine.runOnce();
    const failed = (await world.store.getInstance(id))!;
    expect(failed.status.phase).toBe('Provisioning');
    expect(failed.status.conditions.find((c) => c.type === 'Ready')?.message).toMatch(/^Creating .* failed: .*the store is briefly unreachable/);
    expect(failed.status.readyAt).toBeUndefined();
    expect(await world.secrets.get(id, 'credentials')).toBeUndefined();

    await world.drain(engine);
    const ready = (await world.store.getInstance(id))!;
    expect(ready.status.phase).toBe('Ready');
    expect(await world.secrets.get(id, 'credentials')).toBeDefined();
  });

  it('a check that cannot reach the target waits for it instead of failing, keeping what the create issued', async () => {
    const world = await makeWorld(open, { manifest: checked() });
    let down = 3;
    const checks = world.driver.checks!.map((check) => check.name !== 'connect' ? check : {
      ...check,
      run: async (ctx: Parameters<ContractCheck['run']>[0]) => {
        if (down-- > 0) throw targetUnreachable('memory: connect ECONNREFUSED 127.0.0.1:1');
        return check.run(ctx);
      },
    });
    const engine = world.engine({ drivers: { memory: { ...world.driver, checks } } });
    const { id } = await world.request('db');
    await engine.runOnce();
    const waiting = (await world.store.getInstance(id))!;
    expect(waiting.status.phase).toBe('Provisioning');
    expect(waiting.status.conditions.find((c) => c.type === 'Ready')).toMatchObject({ reason: 'TargetUnreachable', message: expect.stringContaining('Running the contract checks of') });
    expect(Object.keys(waiting.outputs).length).toBeGreaterThan(0);
    expect(await world.store.listEvents({ instanceId: id, kinds: ['instance.failed'] })).toMatchObject({ items: [] });

    await world.drain(engine);
    expect((await world.store.getInstance(id))!.status.phase).toBe('Ready');
    // The create was not repeated: only the checks ran again.
    expect(world.driver.calls()).toMatchObject({ create: 1, update: 0 });
  });
});

describe('runContractChecks', () => {
  const input = (clock = new ManualClock()) => ({
    target: { name: 't', driver: 'memory', labels: {}, config: {} },
    instance: { id: 'i', team: 't', name: 'n', externalName: 'x', product: 'p', plan: 'small', values: {} },
    outputs: { token: 'sekret-token' },
    signal: new AbortController().signal,
    timeoutMs: 50,
    clock,
    redact: ['sekret-token'],
  });
  const driverWith = (checks: ContractCheck[]) => ({ ...createMemoryDriver(), checks });

  it('times out a check that never finishes, stops at the first failure, and strips secrets from messages', async () => {
    const hang: ContractCheck = { name: 'hang', description: '', run: () => new Promise(() => {}) };
    const leaky: ContractCheck = { name: 'leaky', description: '', run: async () => { throw new Error('bad token sekret-token\nsecond line'); } };
    const never: ContractCheck = { name: 'never', description: '', run: async () => { throw new Error('must not run'); } };
    const clock = new ManualClock();
    const running = runContractChecks(driverWith([hang, never]), ['hang', 'never'], input(clock));
    await clock.whenSleeping();
    clock.advance(50);
    const timedOut = await running;
    expect(timedOut.results).toEqual([{ name: 'hang', passed: false, message: 'did not finish within 50 ms' }]);
    const leaked = await runContractChecks(driverWith([leaky]), ['leaky'], input());
    expect(leaked.failed?.message).toBe('bad token [redacted] second line');
    const unknown = await runContractChecks(driverWith([]), ['telepathy'], input());
    expect(unknown.failed?.message).toBe('driver "memory" offers no check "telepathy"');
  });

  it('starts the checks of a driver that allows it together, on one session, and reports them as if run in order', async () => {
    const started: string[] = [];
    const finish = new Map<string, { resolve: () => void; reject: (error: Error) => void }>();
    const opened: string[] = [];
    const check = (name: string): ContractCheck => ({
      name, description: '',
      run: async ({ session }) => {
        await session!.use('tenant', async () => { opened.push(name); return 'connection'; }, () => { opened.push('closed'); });
        started.push(name);
        await new Promise<void>((resolve, reject) => finish.set(name, { resolve, reject }));
      },
    });
    const driver = { ...driverWith([check('a'), check('b'), check('c')]), checksTogether: true };
    const running = runContractChecks(driver, ['a', 'b', 'c'], input());
    await vi.waitFor(() => expect(started).toEqual(['a', 'b', 'c']));
    // One login for the three; the later ones' outcomes are read only after the earlier ones'.
    expect(opened).toEqual(['a']);
    finish.get('c')!.resolve();
    finish.get('b')!.reject(new Error('b did not hold'));
    let settled = false;
    void running.then(() => { settled = true; });
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    finish.get('a')!.resolve();
    const outcome = await running;
    expect(outcome.results).toEqual([{ name: 'a', passed: true, message: 'passed' }, { name: 'b', passed: false, message: 'b did not hold' }]);
    expect(outcome.failed?.name).toBe('b');
    await vi.waitFor(() => expect(opened).toEqual(['a', 'closed']));
  });

  it('cuts off checks run together at their one deadline, and a lost lease stops them', async () => {
    const hang: ContractCheck = { name: 'hang', description: '', run: () => new Promise(() => {}) };
    const quick: ContractCheck = { name: 'quick', description: '', run: async () => {} };
    const clock = new ManualClock();
    const running = runContractChecks({ ...driverWith([quick, hang]), checksTogether: true }, ['quick', 'hang'], input(clock));
    await clock.whenSleeping();
    clock.advance(50);
    expect((await running).results).toEqual([{ name: 'quick', passed: true, message: 'passed' }, { name: 'hang', passed: false, message: 'did not finish within 50 ms' }]);

    const lease = new AbortController();
    const heard: unknown[] = [];
    const listening: ContractCheck = { name: 'listening', description: '', run: ({ signal }) => new Promise((_, reject) => signal.addEventListener('abort', () => { heard.push(signal.reason); reject(signal.reason); })) };
    const lost = runContractChecks({ ...driverWith([quick, listening]), checksTogether: true }, ['quick', 'listening'], { ...input(new ManualClock()), signal: lease.signal });
    const reason = new Error('lease lost');
    lease.abort(reason);
    await expect(lost).rejects.toBe(reason);
    expect(heard).toEqual([reason]);
  });

  it('closes the session only once the checks after a failure have settled', async () => {
    let laterDone = false;
    let closedEarly = false;
    let releaseLater!: () => void;
    const use = (session: any) => session.use('tenant', async () => 'connection', () => { if (!laterDone) closedEarly = true; });
    const first: ContractCheck = { name: 'first', description: '', run: async ({ session }) => { await use(session); throw new Error('refused'); } };
    const later: ContractCheck = {
      name: 'later', description: '',
      run: async ({ session }) => { await use(session); await new Promise<void>((resolve) => { releaseLater = resolve; }); laterDone = true; },
    };
    const running = runContractChecks({ ...driverWith([first, later]), checksTogether: true }, ['first', 'later'], input());
    await vi.waitFor(() => expect(releaseLater).toBeDefined());
    releaseLater();
    const outcome = await running;
    expect(outcome.results).toEqual([{ name: 'first', passed: false, message: 'refused' }]);
    expect(closedEarly).toBe(false);
  });

  it('waits for the session\'s close where the login has no room for a connection beside the checks\' one, else closes it in the background', async () => {
    const limits: [string, (() => number | undefined) | undefined, boolean][] = [
      ['limit 1', () => 1, true],
      ['limit 0', () => 0, true],
      ['an unreadable limit', () => { throw new Error('connectionLimit must be an integer'); }, true],
      ['limit 2', () => 2, false],
      ['no limit', () => undefined, false],
      ['a driver without the hook', undefined, false],
    ];
    for (const [what, connectionLimit, waits] of limits) {
      let closeDone!: () => void;
      const closing = new Promise<void>((resolve) => (closeDone = resolve));
      const login: ContractCheck = { name: 'login', description: '', run: async ({ session }) => { await session!.use('tenant', async () => 'connection', () => closing); } };
      const driver = { ...driverWith([login]), ...(connectionLimit === undefined ? {} : { connectionLimit }) };
      let resolved = false;
      const running = runContractChecks(driver, ['login'], input()).then((outcome) => ((resolved = true), outcome));
      // A turn of the event loop: the checks are long done, only the close is pending.
      await new Promise((resolve) => setImmediate(resolve));
      expect(resolved, what).toBe(!waits);
      closeDone();
      expect((await running).results, what).toEqual([{ name: 'login', passed: true, message: 'passed' }]);
    }
  });
});
