/**
 * The machine's Redis has no aclfile, so ACL SAVE fails there; these tests start their own
 * redis-server with one, run the conformance suite on it, and prove that users survive a
 * restart (and that deleted ones stay deleted).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDriverConformance } from '@paved/driver-api/conformance';
import type { Driver, Target } from '@paved/driver-api';
import { createRedisDriver, passwordHash } from './index.js';
import { context, ownRedisUnavailable, redisConformance, redisTarget, skipUnlessCi, startOwnRedis, tenant, uniqueName, type OwnRedis } from './test-support.js';

const unavailable = ownRedisUnavailable();
const skipHere = skipUnlessCi(unavailable, 'redis tests on a private redis-server');

let conformanceServer: OwnRedis | undefined;
runDriverConformance({
  ...redisConformance('redis (private server with aclfile)', async () => {
    conformanceServer = await startOwnRedis();
    return conformanceServer.url;
  }),
  ...(unavailable ? { skip: unavailable } : {}),
});
afterAll(async () => {
  await conformanceServer?.stop();
});

describe.skipIf(skipHere)('redis ACL persistence (private server with aclfile)', () => {
  let server: OwnRedis;
  let target: Target;
  let driver: Driver;

  beforeAll(async () => {
    server = await startOwnRedis();
    target = redisTarget('own', server.url);
    driver = createRedisDriver();
  });
  afterAll(async () => {
    await driver?.close?.();
    await server?.stop();
  });

  it('preflight detects the aclfile and has nothing to warn about', async () => {
    expect(await driver.preflight(target)).toMatchObject({ ok: true, problems: [], warnings: [] });
  });

  it('a created user survives a restart; a deleted one stays deleted', async () => {
    const name = uniqueName();
    const ctx = context(target, name);
    const { outputs } = await driver.create(ctx);
    // Only the hash reaches the aclfile.
    const saved = readFileSync(server.aclfile, 'utf8');
    expect(saved).toContain(`user ${name} on`);
    expect(saved).toContain(`#${passwordHash(ctx.secrets.password ?? '')}`);
    expect(saved).not.toContain(ctx.secrets.password);

    await server.restart();
    const session = await tenant(outputs);
    await session.set(`${outputs.prefix}after-restart`, '1');
    expect(await session.get(`${outputs.prefix}after-restart`)).toBe('1');
    session.disconnect();
    // The driver's own admin connection reconnects by itself.
    expect(await driver.observe(ctx)).toMatchObject({ exists: true, upToDate: true });

    for (const step of driver.deletion) await step.run(ctx);
    await server.restart();
    await expect(tenant(outputs)).rejects.toThrow();
    expect(readFileSync(server.aclfile, 'utf8')).not.toContain(name);
  });
});
