import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDriverChecks, runDriverConformance } from '@paved/driver-api/conformance';
import type { Driver } from '@paved/driver-api';
import { DriverError } from '@paved/model';
import { createRedisDriver, passwordHash } from './index.js';
import { MACHINE_URL, adminCall, context, redisConformance, redisTarget, skipUnlessCi, uniqueName, unreachable } from './test-support.js';

const skip = await unreachable(MACHINE_URL);
const skipHere = skipUnlessCi(skip, 'redis driver tests on the machine server');

// The machine's Redis has no aclfile: users live in memory (aclPersistence detected as 'none').
runDriverConformance({ ...redisConformance('redis (machine server)', () => MACHINE_URL), ...(skip ? { skip } : {}) });

describe.skipIf(skipHere)('redis driver on the machine server', () => {
  const target = redisTarget('machine', MACHINE_URL);
  let driver: Driver;
  const names: string[] = [];
  const fresh = () => {
    const name = uniqueName();
    names.push(name);
    return name;
  };
  const admins: string[] = [];

  beforeAll(() => {
    driver = createRedisDriver();
  });
  afterAll(async () => {
    for (const name of names) for (const step of driver.deletion) await step.run(context(target, name)).catch(() => {});
    for (const admin of admins) await adminCall(MACHINE_URL, 'ACL', 'DELUSER', admin).catch(() => {});
    await driver.close?.();
  });

  it('preflight passes, names the version, and warns that users are kept in memory only', async () => {
    const result = await driver.preflight(target);
    expect(result).toMatchObject({ ok: true, problems: [] });
    expect(result.version).toMatch(/^Redis 7\./);
    expect(result.warnings?.[0]).toMatch(/in memory only.*--aclfile/);
  });

  it("preflight refuses aclPersistence: 'aclfile' on a server without one, with the fix", async () => {
    const result = await driver.preflight(redisTarget('no-aclfile', MACHINE_URL, { aclPersistence: 'aclfile' }));
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual(["config.aclPersistence is 'aclfile' but the server has no aclfile; start redis-server with --aclfile <path> (create the file empty first)"]);
    // And create refuses too, rather than provisioning a user that a restart would lose.
    const failure = await driver.create(context(redisTarget('no-aclfile', MACHINE_URL, { aclPersistence: 'aclfile' }), fresh())).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DriverError);
    expect((failure as DriverError).retryable).toBe(false);
    expect((failure as DriverError).issues[0]?.path).toBe('config.aclPersistence');
  });

  it('preflight names the commands a weak admin lacks, and an unreachable server, without its password', async () => {
    const weak = `pv_rtest_admin_${uniqueName().slice(-6)}`;
    admins.push(weak);
    await adminCall(MACHINE_URL, 'ACL', 'SETUSER', weak, 'reset', 'on', '>weakpw', '~*', '+@all', '-acl|setuser', '-unlink');
    const result = await driver.preflight(redisTarget('weak', `redis://${weak}:weakpw@127.0.0.1:6379`));
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([`user "${weak}" may not run acl|setuser, unlink; grant them: ACL SETUSER ${weak} +acl|setuser +unlink`]);

    const down = await driver.preflight(redisTarget('down', 'redis://admin:s3cret-pw@127.0.0.1:1'));
    expect(down.ok).toBe(false);
    expect(down.problems).toHaveLength(1);
    expect(down.problems[0]).toMatch(/^cannot connect to Redis as admin@127\.0\.0\.1:1: .*check config\.url/);
    expect(down.problems[0]).not.toContain('s3cret-pw');
  });

  it("says why a target is down (the network's reason), not that a command ran out of retries", async () => {
    const down = redisTarget('down', 'redis://admin:s3cret-pw@127.0.0.1:1');
    for (const [what, run] of [
      ['create', () => driver.create(context(down, fresh()))],
      ['observe', () => driver.observe(context(down, fresh()))],
    ] as const) {
      const failure = await run().then(() => undefined, (e: unknown) => e);
      expect(failure, what).toBeInstanceOf(DriverError);
      expect((failure as DriverError).code, what).toBe('target_unreachable');
      // docs/operations.md shows this message under "A target that is down".
      expect((failure as DriverError).message, what).toMatch(/^redis: \S+ failed for "[^"]+": connect ECONNREFUSED 127\.0\.0\.1:1$/);
      expect((failure as DriverError).message, what).not.toContain('s3cret-pw');
    }
  });

  it('rejects a bad target config, naming the field', async () => {
    for (const [config, path] of [
      [{}, 'config.url'],
      [{ url: 'http://x' }, 'config.url'],
      [{ url: 'redis://127.0.0.1:6379/3' }, 'config.url'],
      [{ url: MACHINE_URL, aclPersistence: 'disk' }, 'config.aclPersistence'],
      [{ url: MACHINE_URL, port: 'x' }, 'config.port'],
    ] as const) {
      const failure = await driver.observe(context({ ...target, config }, fresh())).catch((e: unknown) => e);
      expect(failure, JSON.stringify(config)).toBeInstanceOf(DriverError);
      expect((failure as DriverError).issues[0]?.path).toBe(path);
    }
  });

  it('sends only the SHA-256 of the password and refuses glob characters in the external name', async () => {
    const name = fresh();
    const ctx = context(target, name);
    await driver.create(ctx);
    const user = (await adminCall(MACHINE_URL, 'ACL', 'GETUSER', name)) as unknown[];
    expect(user[user.indexOf('passwords') + 1]).toEqual([passwordHash(ctx.secrets.password ?? '')]);
    const bad = await driver.create(context(target, 'pv_x*')).catch((e: unknown) => e);
    expect((bad as DriverError).issues[0]?.path).toBe('instance.externalName');
  });

  it('reports drift (wider keys, extra password, allowed KEYS, disabled) and update repairs it', async () => {
    const name = fresh();
    const ctx = context(target, name);
    await driver.create(ctx);
    await adminCall(MACHINE_URL, 'ACL', 'SETUSER', name, '~*', '>extra', '+keys', 'off');
    const drifted = await driver.observe(ctx);
    expect(drifted).toMatchObject({ exists: true, upToDate: false });
    expect(drifted.diff).toEqual([
      `user "${name}" is disabled`,
      `user "${name}" accepts 1 other password(s)`,
      `user "${name}" may use keys "~*", wants "~${name}:*"`,
      `user "${name}" may run "keys *"`,
    ]);
    const { outputs } = await driver.update(ctx);
    expect(await driver.observe(ctx)).toEqual({ exists: true, upToDate: true, diff: [], outputs: { host: '127.0.0.1', port: '6379', username: name, prefix: `${name}:` } });
    await runDriverChecks(driver, { target, instance: ctx.instance, outputs });
  });

  it('a wrong password fails the checks with a one-line error that holds no secret', async () => {
    const name = fresh();
    const ctx = context(target, name);
    const { outputs } = await driver.create(ctx);
    const wrong = { ...outputs, password: 'not-the-password-0123' };
    const failure = await runDriverChecks(driver, { target, instance: ctx.instance, outputs: wrong }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DriverError);
    const message = (failure as DriverError).message;
    expect(message).toMatch(new RegExp(`^redis: connect failed for "${name}": WRONGPASS`));
    expect(message).not.toContain('not-the-password-0123');
    expect(message).not.toContain('\n');
    expect(JSON.stringify((failure as DriverError).cause, Object.getOwnPropertyNames((failure as DriverError).cause))).not.toContain('not-the-password-0123');
  });
});
