import { setTimeout as sleep } from 'node:timers/promises';
import { randomBytes } from 'node:crypto';
import { DriverError } from '@paved/model';
import { requireSecret, resourceExists, type ApplyResult, type ContractCheck, type DeletionStep, type Driver, type DriverContext, type Observation, type PreflightResult, type RotationContext, type Target } from '@paved/driver-api';

/** The driver calls a test can make fail; a deletion step counts as 'delete'. */
export type MemoryMethod = 'preflight' | 'observe' | 'create' | 'update' | 'delete' | 'rotate' | 'revoke' | 'check';

/** One provisioned resource. `token` is null once its login was revoked (first deletion step). */
export interface MemoryResource {
  name: string;
  token: string | null;
  /** Every credential that works, by rotation number (the current one included); cleared on revocation. */
  credentials: Map<number, string>;
  values: Record<string, unknown>;
  /** What credential holders wrote through `connect`. */
  data: Map<string, string>;
}

export interface MemoryDriverOptions {
  /** Driver type to register under; 'memory' unless a test needs several. */
  type?: string;
  /** Simulated latency of every call. 0 (the default) uses no timer at all, for benchmarks. */
  latencyMs?: number;
  /** Fail the first N calls of each listed method with a retryable DriverError. */
  failOn?: Partial<Record<MemoryMethod, number>>;
  /**
   * Declare Driver.createsUnobserved, and what create does on a resource already there: converge
   * it as update does ('converges'), or throw the exists-error and change nothing ('refuses').
   * Off by default: the engine then observes before every create, as for most drivers.
   */
  createsUnobserved?: 'converges' | 'refuses';
}

/** A credential holder's view of one resource, as a client library would give it. */
export interface MemoryConnection {
  write(key: string, value: string): void;
  read(key: string): string | undefined;
}

export interface MemoryDriver extends Driver {
  /** Live view of what exists, keyed by external name (all targets share one space). */
  resources(): ReadonlyMap<string, MemoryResource>;
  /** Makes the next `times` calls of `method` fail with a retryable DriverError. */
  failNext(method: MemoryMethod, times?: number): void;
  /** How many times each method was called (failed calls included). */
  calls(): Readonly<Record<MemoryMethod, number>>;
  /** Connects with issued outputs; throws DriverError when they do not grant access. */
  connect(outputs: Record<string, string>): MemoryConnection;
  /** Makes the next `times` runs of contract check `name` fail with `message`. */
  failCheck(name: string, message?: string, times?: number): void;
}

/** The contract checks this driver offers (see `checks`). */
export const MEMORY_CHECKS = ['connect', 'write-read', 'isolation'] as const;

/**
 * An in-memory driver: a Map of resources with a token each. It keeps the whole contract
 * (idempotent steps, signal checks between them, secrets reset on every create/update) so the
 * engine can be tested and benchmarked against it, and it passes the conformance suite.
 */
export function createMemoryDriver(options: MemoryDriverOptions = {}): MemoryDriver {
  const type = options.type ?? 'memory';
  const latencyMs = options.latencyMs ?? 0;
  const store = new Map<string, MemoryResource>();
  const pendingFailures: Partial<Record<MemoryMethod, number>> = { ...options.failOn };
  const callCounts: Record<MemoryMethod, number> = { preflight: 0, observe: 0, create: 0, update: 0, delete: 0, rotate: 0, revoke: 0, check: 0 };
  const checkFailures = new Map<string, { message: string; times: number }>();

  // Every call goes through here: count, maybe fail, maybe wait. No promise or timer is made
  // when latency is 0 and nothing is injected, which keeps 100 000-instance benchmarks cheap.
  function enter(method: MemoryMethod, subject: string, signal?: AbortSignal): Promise<void> | undefined {
    callCounts[method] += 1;
    const pending = pendingFailures[method] ?? 0;
    if (pending > 0) {
      pendingFailures[method] = pending - 1;
      throw new DriverError(`memory driver: injected ${method} failure for "${subject}"`, { code: 'memory_injected_failure', retryable: true });
    }
    return latencyMs > 0 ? sleep(latencyMs, undefined, signal ? { signal } : undefined) : undefined;
  }

  const tokenOf = (ctx: DriverContext): string => requireSecret('memory driver', ctx, 'token');

  async function apply(method: 'create' | 'update', ctx: DriverContext): Promise<ApplyResult> {
    const name = ctx.instance.externalName;
    await enter(method, name, ctx.signal);
    ctx.signal.throwIfAborted();
    const token = tokenOf(ctx);
    let resource = store.get(name);
    if (method === 'create' && resource !== undefined && options.createsUnobserved === 'refuses') {
      throw resourceExists(`memory driver: "${name}" already exists`);
    }
    if (!resource) {
      resource = { name, token: null, credentials: new Map(), values: {}, data: new Map() };
      store.set(name, resource);
    }
    // Crash point: the resource exists but has no credential yet, like a role without password.
    ctx.signal.throwIfAborted();
    resource.token = token;
    resource.credentials.set(ctx.instance.rotation ?? 0, token);
    resource.values = { ...ctx.instance.values };
    return { outputs: { name, token } };
  }

  function existing(ctx: DriverContext, method: string): MemoryResource {
    const resource = store.get(ctx.instance.externalName);
    if (!resource) {
      throw new DriverError(`memory driver: cannot ${method} credentials of "${ctx.instance.externalName}": it does not exist`, { code: 'resource_missing', retryable: true });
    }
    return resource;
  }

  /** Issues credential ctx.instance.rotation beside the previous one; both work until revoke. */
  async function rotate(ctx: RotationContext): Promise<ApplyResult> {
    const name = ctx.instance.externalName;
    await enter('rotate', name, ctx.signal);
    ctx.signal.throwIfAborted();
    const token = tokenOf(ctx);
    const resource = existing(ctx, 'rotate');
    resource.credentials.set(ctx.instance.rotation ?? 0, token);
    resource.token = token;
    return { outputs: { name, token } };
  }

  async function revoke(ctx: RotationContext): Promise<void> {
    const name = ctx.instance.externalName;
    await enter('revoke', name, ctx.signal);
    ctx.signal.throwIfAborted();
    if (ctx.previousRotation === (ctx.instance.rotation ?? 0)) {
      throw new DriverError(`memory driver: credential ${ctx.previousRotation} of "${name}" is the current one; it cannot be revoked`, { code: 'invalid_value', retryable: false });
    }
    store.get(name)?.credentials.delete(ctx.previousRotation);
  }

  function connect(outputs: Record<string, string>): MemoryConnection {
    const name = outputs.name ?? '';
    const resource = store.get(name);
    const token = outputs.token;
    if (!resource || resource.token === null || token === undefined || ![...resource.credentials.values()].includes(token)) {
      throw new DriverError(`memory driver: access to "${name}" refused`, { code: 'credentials_refused', retryable: false });
    }
    return {
      write: (key, value) => void resource.data.set(key, value),
      read: (key) => resource.data.get(key),
    };
  }

  const deletion: DeletionStep[] = [
    {
      name: 'revoke-token',
      async run(ctx) {
        await enter('delete', ctx.instance.externalName, ctx.signal);
        const resource = store.get(ctx.instance.externalName);
        if (resource) {
          resource.token = null;
          resource.credentials.clear();
        }
      },
    },
    {
      name: 'drop',
      async run(ctx) {
        await enter('delete', ctx.instance.externalName, ctx.signal);
        store.delete(ctx.instance.externalName);
      },
    },
  ];

  /** A check: injected failures first, then the real probe through `connect`. */
  function check(name: string, description: string, probe: (outputs: Record<string, string>) => void): ContractCheck {
    return {
      name,
      description,
      async run({ outputs, signal }) {
        await enter('check', outputs.name ?? '', signal);
        const injected = checkFailures.get(name);
        if (injected && injected.times > 0) {
          injected.times -= 1;
          throw new DriverError(injected.message, { code: 'check_failed', retryable: true });
        }
        probe(outputs);
      },
    };
  }

  const checks: ContractCheck[] = [
    check('connect', 'the issued token opens the resource', (outputs) => void connect(outputs)),
    check('write-read', 'a value written with the issued token reads back', (outputs) => {
      const connection = connect(outputs);
      const probe = randomBytes(4).toString('hex');
      connection.write('paved-check', probe);
      if (connection.read('paved-check') !== probe) throw new DriverError(`memory check write-read: "${outputs.name}" read back something else`);
    }),
    check('isolation', 'the issued token opens no other resource', (outputs) => {
      for (const other of store.values()) {
        if (other.name === outputs.name) continue;
        if (outputs.token !== undefined && [...other.credentials.values()].includes(outputs.token)) {
          throw new DriverError(`memory check isolation: the token of "${outputs.name}" also opens "${other.name}"`);
        }
      }
    }),
  ];

  return {
    type,
    secrets: Object.freeze({ token: { bytes: 16 } }),
    deletion,
    checks,
    rotate,
    revoke,
    async preflight(_target: Target): Promise<PreflightResult> {
      await enter('preflight', type);
      return { ok: true, problems: [], version: 'memory' };
    },
    async observe(ctx): Promise<Observation> {
      const name = ctx.instance.externalName;
      await enter('observe', name, ctx.signal);
      const resource = store.get(name);
      if (!resource) return { exists: false, upToDate: false, diff: [] };
      const diff = describeDrift(resource, ctx);
      return { exists: true, upToDate: diff.length === 0, diff, outputs: { name } };
    },
    ...(options.createsUnobserved === undefined ? {} : { createsUnobserved: true }),
    create: (ctx) => apply('create', ctx),
    update: (ctx) => apply('update', ctx),
    resources: () => store,
    failNext(method, times = 1) {
      pendingFailures[method] = (pendingFailures[method] ?? 0) + times;
    },
    calls: () => ({ ...callCounts }),
    connect,
    failCheck(name, message = `memory check ${name}: injected failure`, times = 1) {
      checkFailures.set(name, { message, times });
    },
  };
}

function describeDrift(resource: MemoryResource, ctx: DriverContext): string[] {
  const diff: string[] = [];
  if (resource.token === null) diff.push(`resource "${resource.name}" has no credential (revoked)`);
  else if (ctx.secrets.token !== undefined && resource.token !== ctx.secrets.token) diff.push(`credential of "${resource.name}" differs from the stored secret`);
  const keys = new Set([...Object.keys(resource.values), ...Object.keys(ctx.instance.values)]);
  for (const key of keys) {
    const have = JSON.stringify(resource.values[key]);
    const want = JSON.stringify(ctx.instance.values[key]);
    if (have !== want) diff.push(`value "${key}" is ${have ?? 'unset'}, wants ${want ?? 'unset'}`);
  }
  return diff;
}
