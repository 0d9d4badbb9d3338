/**
 * Every workload file the Score project publishes (fixtures/score/wild: its examples,
 * score-compose's examples, the community provisioners' samples; 73 files, unchanged) goes
 * through `paved plan` on a fresh Paved, as a new user would try them: each one plans, or is
 * refused only because it names Score types a platform team maps to a product of its own.
 * The files that use only the types Paved serves itself are then applied, each as a service.
 * Real CLI and server processes; the targets of this machine's services are configured but
 * nothing is provisioned on them (plans only).
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, paved, startServer, tempDir, type ServerProcess } from './harness.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WILD = join(ROOT, 'fixtures/score/wild');
const TARGETS_FILE = join(ROOT, 'examples/targets/local-services.yaml');
/** The types a platform maps: the only reason a real file may be refused (docs/workloads.md#types-a-platform-maps). */
const PLATFORM_MAPS = ['dapr-pubsub', 'dapr-state-store', 'dapr-subscription', 'elasticsearch', 'endpoint', 'gcp-pubsub-emulator', 'horizontal-pod-autoscaler', 'kafka-topic', 'llm-model', 'mongodb', 'mssql'];
const BUILT_IN = ['environment', 'service', 'service-port', 'dns', 'route', 'volume'];

function scoreFiles(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return scoreFiles(path);
    return /^score.*\.ya?ml$/.test(name) ? [path] : [];
  });
}

describe('the Score project\'s own files, unchanged', () => {
  const dir = tempDir('e2e-score-wild');
  const admin = { PAVED_CLI_CONFIG: join(dir, 'admin.json'), PAVED_TEAM: 'wild' };
  let server: ServerProcess | undefined;
  const files = scoreFiles(WILD);

  beforeAll(async () => {
    const port = await freePort();
    server = await startServer(['up'], {
      PAVED_CLI_CONFIG: admin.PAVED_CLI_CONFIG, PAVED_DATA_DIR: join(dir, 'data'), PAVED_PORT: String(port),
      PAVED_TARGETS_FILE: TARGETS_FILE, PAVED_EMBEDDED_POSTGRES: 'off', PAVED_LOG_LEVEL: 'warn',
    }, { port });
    const created = await paved(['teams', 'create', 'wild'], admin);
    expect(created.code, created.stderr).toBe(0);
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
  });

  it('plans 59 of the 73; the other 14 are refused only for types a platform maps, each named with that next step', async () => {
    expect(files).toHaveLength(73);
    const planned: string[] = [];
    const refused: Record<string, string[]> = {};
    for (const file of files) {
      const result = await paved(['plan', '-f', file, '--env', 'dev'], admin);
      const name = relative(WILD, file);
      if (result.code === 0) {
        planned.push(name);
        continue;
      }
      expect(result.code, `${name}: ${result.stderr}`).toBe(2);
      const lines = result.stderr.split('\n').filter((line) => /^ {2}\S|^error: [^0-9]/.test(line)).map((line) => line.replace(/^(error: | {2})/, ''));
      // Every problem is a type no product serves, or the one line saying what to do about them.
      const types = new Set<string>();
      for (const line of lines) {
        const unmapped = /: no product serves Score type "([a-z0-9-]+)" here/.exec(line);
        if (unmapped) types.add(unmapped[1]!);
        else expect(line, `${name}: refused for another reason:\n${result.stderr}`).toMatch(/: resources: types? .* needs? a product: a platform team maps each to a product of its own by listing it in that product's spec\.score\.types/);
      }
      for (const type of types) expect(PLATFORM_MAPS, `${name}`).toContain(type);
      // Said once: no second error for a placeholder naming such a resource.
      expect(result.stderr, name).not.toContain('names no resource of this file');
      refused[name] = [...types].sort();
    }
    expect(planned).toHaveLength(59);
    expect(Object.keys(refused)).toHaveLength(14);
    expect([...new Set(Object.values(refused).flat())].sort()).toEqual(PLATFORM_MAPS);
  }, 300_000);

  it('applies the files that use only the types Paved serves itself, each as a service of its own', async () => {
    const { parseScoreText } = await import('@paved/model');
    const { readFileSync } = await import('node:fs');
    const builtInOnly = files.filter((file) => {
      const { workload } = parseScoreText(readFileSync(file, 'utf8'), file);
      return Object.values(workload.resources ?? {}).every((r) => BUILT_IN.includes(r.type));
    });
    expect(builtInOnly.length).toBeGreaterThan(30);
    for (const [index, file] of builtInOnly.entries()) {
      const result = await paved(['apply', '-f', file, '--env', 'dev', '--service', `wild-${index}`], admin);
      expect(result.code, `${relative(WILD, file)}: ${result.stderr}`).toBe(0);
      expect(result.stdout).toContain(`Applied wild/wild-${index} in dev`);
    }
  }, 300_000);
});
