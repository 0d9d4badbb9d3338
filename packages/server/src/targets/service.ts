import type { Driver, PreflightResult, Target } from '@paved/driver-api';
import { REDACTED, errorLine, redactSecrets } from '@paved/driver-api';
import type { TargetHealth } from '@paved/model';
import type { Principal } from '../access/principal.js';

/** The targets this platform acts on (PAVED_TARGETS_FILE's and the built-in ones) and whether each driver can act on its target now. */
export interface TargetService {
  list(principal: Principal): Promise<TargetHealth[]>;
}

/** How long one target's preflight may take before it counts as unreachable: one dead server must not hold the answer. */
export const PREFLIGHT_TIMEOUT_MS = 5_000;

export class DefaultTargetService implements TargetService {
  constructor(private readonly deps: { targets: readonly Target[]; drivers: Readonly<Record<string, Driver>>; timeoutMs?: number }) {}

  list(_principal: Principal): Promise<TargetHealth[]> {
    // Concurrently: the answer takes as long as the slowest target, at most the timeout.
    return Promise.all(this.deps.targets.map(async (target) => ({
      name: target.name,
      driver: target.driver,
      labels: { ...target.labels },
      ...(target.concurrency === undefined ? {} : { concurrency: target.concurrency }),
      health: await this.health(target),
    })));
  }

  private async health(target: Target): Promise<TargetHealth['health']> {
    const driver = this.deps.drivers[target.driver];
    if (!driver) return { ok: false, problems: [`no driver "${target.driver}" runs on this platform; check the target's driver in the targets file (PAVED_TARGETS_FILE)`] };
    const result = await withTimeout(driver.preflight(target), this.deps.timeoutMs ?? PREFLIGHT_TIMEOUT_MS)
      .catch((error: unknown): PreflightResult => ({ ok: false, problems: [errorLine(error)] }));
    return redacted(result, secretsOf(target.config));
  }
}

function withTimeout(check: Promise<PreflightResult>, ms: number): Promise<PreflightResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<PreflightResult>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, problems: [`no answer within ${ms / 1000} s; check that the server in the target's config is running and reachable from Paved`] }), ms);
  });
  return Promise.race([check, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Drivers redact their own messages (cannotConnect); this is the second lock: whatever a
 * driver says, no password of the target's config leaves in a problem or warning.
 */
function redacted(result: PreflightResult, secrets: string[]): TargetHealth['health'] {
  const clean = (lines: string[]) => lines.map((line) => redactSecrets(line, secrets, REDACTED));
  return {
    ok: result.ok,
    problems: clean(result.problems),
    ...(result.version === undefined ? {} : { version: result.version }),
    ...(result.warnings && result.warnings.length > 0 ? { warnings: clean(result.warnings) } : {}),
  };
}

/** The secrets a config may hold: the password of every URL in it, and every value under a key that names one. */
export function secretsOf(config: unknown, key = ''): string[] {
  if (typeof config === 'string') {
    const found = /password|secret|token/i.test(key) ? [config] : [];
    try {
      const password = new URL(config).password;
      if (password) found.push(password, decodeURIComponent(password));
    } catch {
      // Not a URL: nothing more to find in it.
    }
    return found;
  }
  if (Array.isArray(config)) return config.flatMap((value) => secretsOf(value, key));
  if (config !== null && typeof config === 'object') return Object.entries(config).flatMap(([k, value]) => secretsOf(value, k));
  return [];
}
