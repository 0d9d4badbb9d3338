import type { Target } from '@paved/driver-api';

/**
 * What a `score` target (the built-in Score types' target) configures, per environment:
 * - `domain`: under which dns hostnames are given (default `localhost`);
 * - `hostname`: the dns hostname's pattern (default `{service}.{team}.{environment}.{domain}`:
 *   service names are unique per team only, so the team keeps two teams' hostnames apart);
 * - `routerPort`, `routerScheme`: where the environment's router serves routes (default 7470,
 *   `http`): on a developer's machine, the reverse proxy `paved run` starts;
 * - `workloadHost`: how one workload reaches another (default `127.0.0.1`: in dev every workload
 *   runs on the developer's machine; e.g. `{service}.{environment}.svc` elsewhere).
 * Patterns may use {service}, {team}, {environment} and {domain}.
 */
export interface ScoreTargetConfig {
  domain: string;
  hostname: string;
  routerPort: number;
  routerScheme: 'http' | 'https';
  workloadHost: string;
}

const HOST_PATTERN = /^[a-z0-9{}]([a-z0-9{}.-]*[a-z0-9{}])?$/;

/** The target's config with defaults, or the problems with it, each naming the field. */
export function readScoreTarget(target: Target): { config: ScoreTargetConfig; problems: string[] } {
  const raw = target.config;
  const problems: string[] = [];
  const text = (key: string, fallback: string) => {
    const value = raw[key];
    if (value === undefined) return fallback;
    if (typeof value === 'string' && HOST_PATTERN.test(value)) return value;
    problems.push(`target ${target.name}: config.${key} must be a hostname or pattern such as {service}.example.com`);
    return fallback;
  };
  const port = raw.routerPort ?? 7470;
  if (!Number.isInteger(port) || (port as number) < 1 || (port as number) > 65535) problems.push(`target ${target.name}: config.routerPort must be a port number`);
  const scheme = raw.routerScheme ?? 'http';
  if (scheme !== 'http' && scheme !== 'https') problems.push(`target ${target.name}: config.routerScheme must be http or https`);
  return {
    config: {
      domain: text('domain', 'localhost'),
      hostname: text('hostname', '{service}.{team}.{environment}.{domain}'),
      routerPort: Number.isInteger(port) ? (port as number) : 7470,
      routerScheme: scheme === 'https' ? 'https' : 'http',
      workloadHost: text('workloadHost', '127.0.0.1'),
    },
    problems,
  };
}

export function fillPattern(pattern: string, values: { service: string; team: string; environment: string; domain: string }): string {
  return pattern.replace(/\{(service|team|environment|domain)\}/g, (_all, key: keyof typeof values) => values[key]);
}

/** `scheme://host` plus the port unless it is the scheme's own. */
export function routerOrigin(config: ScoreTargetConfig, host: string): string {
  const standard = (config.routerScheme === 'http' && config.routerPort === 80) || (config.routerScheme === 'https' && config.routerPort === 443);
  return `${config.routerScheme}://${host}${standard ? '' : `:${config.routerPort}`}`;
}
