import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import type { Target } from '@paved/driver-api';
import { InputError, isValidName, type FieldIssue } from '@paved/model';
import type { PavedConfig } from './config.js';

/**
 * Targets come from the platform configuration, not the API: they hold admin credentials.
 * A targets file holds `kind: Target` documents:
 *
 *   apiVersion: paved.dev/v1alpha1
 *   kind: Target
 *   metadata: { name: shared-pg, labels: { tier: shared } }
 *   spec: { driver: postgres, concurrency: 3, config: { url: postgres://admin:…@db:5432/postgres } }
 */

/** The target of drivers that need no outside server (the `secret` driver). */
export const LOCAL_TARGET: Target = Object.freeze({ name: 'local', driver: 'secret', labels: {}, config: {} });
/** The target of the `log-stream` driver: log lines live in Paved's own store. */
export const LOCAL_LOGS_TARGET: Target = Object.freeze({ name: 'local-logs', driver: 'log-stream', labels: {}, config: {} });

/**
 * The target of the `score` driver (Score's built-in types: dns, route, service…) for a
 * developer's machine: hostnames under `localhost`, which browsers and curl send to this
 * machine, and `paved run`'s router on port 7470 (next to Paved's 7468 and the embedded
 * PostgreSQL's 7469). A platform team puts its own `driver: score` target first in the targets
 * file (or labels one per environment) to use its own domain, router and workload addresses.
 */
export const LOCAL_WORKLOADS_TARGET: Target = Object.freeze({
  name: 'local-workloads',
  driver: 'score',
  labels: {},
  config: Object.freeze({ domain: 'localhost', routerPort: 7470, workloadHost: '127.0.0.1' }),
});

export function parseTargets(text: string, file: string): Target[] {
  const issues: FieldIssue[] = [];
  const targets: Target[] = [];
  parseAllDocuments(text).forEach((doc, index) => {
    const at = `${file}#${index + 1}`;
    if (doc.errors.length > 0) {
      issues.push({ path: at, message: doc.errors[0]!.message });
      return;
    }
    const value = doc.toJS() as Record<string, any> | null;
    if (value === null) return;
    if (value.kind !== 'Target') issues.push({ path: `${at}.kind`, message: 'must be "Target"' });
    if (value.apiVersion !== 'paved.dev/v1alpha1') issues.push({ path: `${at}.apiVersion`, message: 'must be "paved.dev/v1alpha1"' });
    const name = value.metadata?.name;
    if (!isValidName(name)) issues.push({ path: `${at}.metadata.name`, message: 'must be a lowercase name (letters, digits, "-")' });
    const spec = value.spec ?? {};
    if (typeof spec.driver !== 'string') issues.push({ path: `${at}.spec.driver`, message: 'is required (e.g. postgres)' });
    if (spec.concurrency !== undefined && (!Number.isInteger(spec.concurrency) || spec.concurrency < 1)) {
      issues.push({ path: `${at}.spec.concurrency`, message: 'must be a positive integer' });
    }
    targets.push({
      name,
      driver: spec.driver,
      labels: { ...(value.metadata?.labels ?? {}) },
      config: { ...(spec.config ?? {}) },
      ...(spec.concurrency === undefined ? {} : { concurrency: spec.concurrency }),
    });
  });
  const names = new Set<string>();
  for (const target of targets) {
    if (names.has(target.name)) issues.push({ path: `${file}`, message: `target "${target.name}" is defined twice` });
    names.add(target.name);
  }
  if (issues.length > 0) {
    throw new InputError(`invalid targets file ${file}:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`, {
      code: 'targets_invalid',
      issues,
    });
  }
  return targets;
}

/** Configured targets: the targets file, then the PAVED_POSTGRES_URL shorthand, then `local`, `local-logs` and `local-workloads`. */
export async function loadConfiguredTargets(config: PavedConfig): Promise<Target[]> {
  const targets: Target[] = [];
  if (config.targetsFile) targets.push(...parseTargets(await readFile(config.targetsFile, 'utf8'), config.targetsFile));
  if (config.postgresTargetUrl) {
    const close = config.postgresCloseServerDatabases === undefined ? {} : { closeServerDatabases: config.postgresCloseServerDatabases };
    targets.push({ name: 'postgres', driver: 'postgres', labels: {}, config: { url: config.postgresTargetUrl, ...close }, concurrency: 3 });
  }
  targets.push(LOCAL_TARGET, LOCAL_LOGS_TARGET, LOCAL_WORKLOADS_TARGET);
  return targets;
}
