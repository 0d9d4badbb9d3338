import { isAbsolute } from 'node:path';
import type { FieldIssue } from '@paved/model';
import { targetConfigError, type Target } from '@paved/driver-api';
import { parseDuration, type Duration } from './duration.js';

/** A script target's settings, read from `target.config`. */
export interface ScriptTargetConfig {
  /** Absolute path of the program run as `<executable> <verb>`. */
  executable: string;
  /** Working directory of the program (default: the directory Paved runs in). */
  cwd?: string;
  /** How long one verb may run before its process group is killed (default 10m). */
  timeout: Duration;
  /** Extra environment variables for the program (e.g. cloud credentials). Never sent on stdin. */
  env: Readonly<Record<string, string>>;
  /** Most bytes read from the program's stdout; past it the run is killed (default 1 MiB). */
  maxOutputBytes: number;
  /** Contract checks the program implements through the verb `check` (e.g. ['connect']). */
  checks: readonly string[];
  /** The rest of `target.config`, handed to the program on stdin as `target.config`. */
  settings: Readonly<Record<string, unknown>>;
}

export const DEFAULT_TIMEOUT: Duration = { ms: 600_000, text: '10m' };
export const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;
const OWN_KEYS = new Set(['executable', 'cwd', 'timeout', 'env', 'maxOutputBytes', 'checks']);
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const CHECK_NAME = /^[a-z][a-z0-9-]*$/;

/** Reads and validates `target.config`, reporting every problem at once with its path. */
export function readTargetConfig(target: Target): ScriptTargetConfig {
  const config = target.config ?? {};
  const issues: FieldIssue[] = [];
  const { executable, cwd, timeout, env, maxOutputBytes, checks } = config;

  if (typeof executable !== 'string' || executable === '') issues.push({ path: 'config.executable', message: 'is required (absolute path of the script, e.g. /opt/paved/buckets/provision.sh)' });
  else if (!isAbsolute(executable)) issues.push({ path: 'config.executable', message: 'must be an absolute path' });

  if (cwd !== undefined && (typeof cwd !== 'string' || !isAbsolute(cwd))) issues.push({ path: 'config.cwd', message: 'must be an absolute path' });

  let parsedTimeout = DEFAULT_TIMEOUT;
  if (timeout !== undefined) {
    const parsed = typeof timeout === 'string' ? parseDuration(timeout) : undefined;
    if (parsed) parsedTimeout = parsed;
    else issues.push({ path: 'config.timeout', message: "must be a duration such as '30s', '5m' or '1h'" });
  }

  const parsedEnv: Record<string, string> = {};
  if (env !== undefined) {
    if (typeof env !== 'object' || env === null || Array.isArray(env)) issues.push({ path: 'config.env', message: 'must be a map of NAME: value' });
    else {
      for (const [name, value] of Object.entries(env)) {
        if (!ENV_NAME.test(name)) issues.push({ path: `config.env.${name}`, message: 'is not a valid environment variable name' });
        else if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') issues.push({ path: `config.env.${name}`, message: 'must be a string' });
        else parsedEnv[name] = String(value);
      }
    }
  }

  let maxBytes = DEFAULT_MAX_OUTPUT_BYTES;
  if (maxOutputBytes !== undefined) {
    if (typeof maxOutputBytes === 'number' && Number.isInteger(maxOutputBytes) && maxOutputBytes >= 1024) maxBytes = maxOutputBytes;
    else issues.push({ path: 'config.maxOutputBytes', message: 'must be an integer of at least 1024' });
  }

  let parsedChecks: string[] = [];
  if (checks !== undefined) {
    if (Array.isArray(checks) && checks.every((c) => typeof c === 'string' && CHECK_NAME.test(c))) parsedChecks = checks as string[];
    else issues.push({ path: 'config.checks', message: "must be a list of check names, e.g. ['connect', 'write-read']" });
  }

  if (issues.length > 0) throw targetConfigError('script', target, ...issues);
  const settings = Object.fromEntries(Object.entries(config).filter(([key]) => !OWN_KEYS.has(key)));
  return Object.freeze({
    executable: executable as string,
    ...(cwd === undefined ? {} : { cwd: cwd as string }),
    timeout: parsedTimeout,
    env: Object.freeze(parsedEnv),
    maxOutputBytes: maxBytes,
    checks: Object.freeze(parsedChecks),
    settings: Object.freeze(settings),
  });
}
