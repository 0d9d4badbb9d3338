import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { runDriverConformance } from '@paved/driver-api/conformance';
import { silentLogger, type Driver, type DriverContext } from '@paved/driver-api';
import { createNatsDriver } from './index.js';
import { machineUnreachable, sharedTarget } from './test-support.js';

// Shared mode runs against the machine's plain NATS (no accounts), as a development target would.
const skip = await machineUnreachable();
const skipHere = skip !== undefined && process.env.CI !== 'true';
if (skipHere) console.warn(`skipping nats shared-mode tests: ${skip}`);

type Outputs = Record<string, string>;

async function plain<T>(work: (nc: NatsConnection) => Promise<T>): Promise<T> {
  const nc = await connect({ servers: '127.0.0.1:4222', reconnect: false, timeout: 3_000 });
  try {
    return await work(nc);
  } finally {
    await nc.close().catch(() => {});
  }
}

async function streamNames(): Promise<string[]> {
  return plain(async (nc) => {
    const names: string[] = [];
    for await (const name of (await jetstreamManager(nc)).streams.names()) names.push(name);
    return names;
  });
}

runDriverConformance({
  name: 'nats (shared mode, machine server)',
  createDriver: () => createNatsDriver(),
  target: () => sharedTarget(),
  outputs: ['url', 'stream', 'subjects'],
  values: { maxBytes: 1024 * 1024, maxMessages: 1000 },
  update: { values: { maxMessages: 500 } },
  useCredentials: async (outputs) => {
    await plain(async (nc) => {
      const ack = await jetstream(nc).publish(`${outputs.stream}.orders`, 'hello');
      const stored = await (await jetstreamManager(nc)).streams.getMessage(outputs.stream!, { seq: ack.seq });
      expect(stored?.string()).toBe('hello');
    });
  },
  // Shared mode gives no isolation: its isolation check must fail, and there is no crossAccess
  // to refuse (the describe below proves the absence).
  failingChecks: ['isolation'],
  inventory: async (externalName) => (await streamNames()).filter((name) => name === externalName).map((name) => `stream ${name}`),
  assertGone: async (externalName) => {
    if ((await streamNames()).includes(externalName)) throw new Error(`stream ${externalName} is still on the server`);
  },
  ...(skip ? { skip } : {}),
});

describe.skipIf(skipHere)('nats driver in shared mode: the documented absence of isolation', () => {
  let driver: Driver;
  const made: DriverContext[] = [];
  const fresh = (): DriverContext => {
    const externalName = `pv_nats_${randomBytes(5).toString('hex')}`;
    const ctx: DriverContext = {
      instance: { id: externalName, team: 'team-a', name: 'events', externalName, product: 'nats', plan: 'dev', values: { maxBytes: 1024 * 1024 } },
      target: sharedTarget(),
      secrets: { userSeed: randomBytes(32).toString('hex') },
      signal: new AbortController().signal,
      logger: silentLogger,
    };
    made.push(ctx);
    return ctx;
  };
  beforeAll(() => {
    driver = createNatsDriver();
  });
  afterAll(async () => {
    for (const ctx of made) for (const step of driver.deletion) await step.run(ctx).catch(() => {});
  });

  it("any client of the server reads and writes another instance's stream", async () => {
    const a = fresh();
    const b = fresh();
    const aOut: Outputs = (await driver.create(a)).outputs;
    const bOut: Outputs = (await driver.create(b)).outputs;
    expect(bOut.creds).toBeUndefined();
    // Team B's outputs are just an address: connecting with them reaches team A's stream.
    await plain(async (nc) => {
      const ack = await jetstream(nc).publish(`${aOut.stream}.intruder`, 'from b');
      expect(ack.stream).toBe(aOut.stream);
      expect((await (await jetstreamManager(nc)).streams.getMessage(aOut.stream!, { seq: ack.seq }))?.string()).toBe('from b');
    });
  });

  it('connect and write-read pass; isolation fails and says why', async () => {
    const ctx = fresh();
    const outputs = (await driver.create(ctx)).outputs;
    const run = (name: string) => driver.checks!.find((c) => c.name === name)!.run({ target: ctx.target, instance: ctx.instance, outputs, signal: new AbortController().signal });
    await run('connect');
    await run('write-read');
    await expect(run('isolation')).rejects.toThrow(/^nats: isolation does not hold on shared-mode target "nats-machine-shared": any client of the server can read and write stream/);
  });

  it('preflight passes but warns that there is no isolation', async () => {
    const result = await driver.preflight(sharedTarget());
    expect(result).toMatchObject({ ok: true, problems: [], warnings: [expect.stringMatching(/NO access isolation/)] });
    expect(result.version).toMatch(/^nats-server 2\./);
  });
});
