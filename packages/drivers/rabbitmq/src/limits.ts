import { DriverError } from '@paved/model';
import type { DriverContext } from '@paved/driver-api';

/** Plan values → RabbitMQ vhost limits. An absent value means no limit on the vhost. */
const LIMITS = { maxConnections: 'max-connections', maxQueues: 'max-queues' } as const;

export type LimitName = (typeof LIMITS)[keyof typeof LIMITS];
export type WantedLimits = Record<LimitName, number | undefined>;

/** The vhost limits an instance asks for (plan values `maxConnections`, `maxQueues`), checked. */
export function wantedLimits(ctx: Pick<DriverContext, 'instance'>): WantedLimits {
  const wanted = {} as WantedLimits;
  for (const [value, limit] of Object.entries(LIMITS) as [keyof typeof LIMITS, LimitName][]) {
    const raw = ctx.instance.values[value];
    if (raw !== undefined && (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 0)) {
      throw new DriverError(`rabbitmq: ${value} for "${ctx.instance.externalName}" must be an integer ≥ 0`, {
        code: 'invalid_value',
        retryable: false,
        issues: [{ path: `values.${value}`, message: 'must be an integer ≥ 0' }],
      });
    }
    wanted[limit] = raw as number | undefined;
  }
  return wanted;
}

/** Differences between the limits on the vhost and the wanted ones, in words. */
export function limitsDiff(vhost: string, actual: Record<string, number>, wanted: WantedLimits): string[] {
  const diff: string[] = [];
  for (const [limit, value] of Object.entries(wanted)) {
    const current = actual[limit];
    if (current === value || (value === undefined && current === undefined)) continue;
    diff.push(`vhost "${vhost}" ${limit} is ${current ?? 'unlimited'}, wants ${value ?? 'unlimited'}`);
  }
  return diff;
}
