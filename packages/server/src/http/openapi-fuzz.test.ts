import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseProductManifestsFromText } from '@paved/model';
import { createMemoryDriver } from '@paved/driver-memory';
import { createLogStreamDriver } from '@paved/driver-log-stream';
import { eachStore } from '@paved/store/testing';
import { markReady, startHarness, testManifest, TEST_TARGETS, type Caller, type Harness } from '../test-harness.js';
import { fuzzRequest, operationsOf, type FuzzRequest } from './fuzz-requests.test-support.js';
import { seededRandom } from './fuzz-values.test-support.js';

/**
 * 10,000 invalid requests generated from the API's own OpenAPI document, sent as a platform
 * admin and as a team member over a real SQLite store: none may be a 5xx, and every error is
 * an RFC 9457 problem with a stable, documented `code`. Seeded, so a failure replays exactly;
 * each failure names its request. PostgreSQL refuses things SQLite takes (a NUL in text, a
 * number past bigint), so it gets the first 2,500 of the same requests (every route many
 * times over) within the time a test may take.
 */
const TOTAL = { sqlite: 10_000, postgres: 2_500 };
const SEED = 20_261_202;
const repo = (path: string) => new URL(`../../../../${path}`, import.meta.url);

eachStore('the API under 10,000 invalid requests from its OpenAPI document', (open) => {
  let h: Harness;
  let member: Caller;
  const valid: Record<string, string> = { team: 'orders', user: 'mia', instance: 'db1', service: 'shop', environment: 'dev', product: 'pgdb', version: '1.2.0', template: 'node-postgres', driver: 'memory' };
  const score = { apiVersion: 'score.dev/v1b1', metadata: { name: 'shop' }, containers: { web: { image: '.', variables: { DB: '${resources.db.host}' } } }, resources: { db: { type: 'pgdb' } } };
  const examples: Record<string, unknown> = {
    publishProduct: testManifest('platform', (m) => { m.metadata.name = 'fuzzed'; }),
    createInstance: { name: 'fuzz-x', product: 'pgdb', plan: 'small', inputs: { extensions: ['citext'] } },
    updateInstance: { plan: 'large', inputs: { extensions: [] } },
    applyWorkload: { score, dryRun: true },
    appendLogLines: { lines: [{ stream: 'stdout', line: 'hello', at: '2026-01-01T00:00:00Z' }, { stream: 'stderr', line: 'oops' }] },
    importBackstage: {
      dryRun: true,
      entities: [
        { apiVersion: 'backstage.io/v1alpha1', kind: 'Group', metadata: { name: 'fuzz-team' }, spec: { type: 'team', members: ['mia'] } },
        { apiVersion: 'backstage.io/v1alpha1', kind: 'Component', metadata: { name: 'fuzz-svc' }, spec: { type: 'service', owner: 'group:default/orders', lifecycle: 'production' } },
      ],
    },
    driverCallback: { deliveryId: 'd-1', verb: 'create', status: 'succeeded', outputs: { host: 'h' } },
    createEnvironment: { name: 'fuzz-env', description: 'x', targetSelector: { tier: 'shared' }, policies: { allowedPlans: { '*': ['small'] } } },
    updateEnvironment: { description: 'x', targetSelector: { tier: 'shared' } },
  };

  beforeAll(async () => {
    h = await startHarness(await open(), {
      drivers: { memory: createMemoryDriver(), 'log-stream': createLogStreamDriver() },
      targets: [...TEST_TARGETS, { name: 'local-logs', driver: 'log-stream', labels: {}, config: {} }],
      templatesDir: repo('templates').pathname,
      // The fuzzer sends thousands of requests per token; limits have tests of their own.
      rateLimits: { requestsPerHour: 0, authFailuresPerMinute: 1_000_000, signInStartsPerMinute: 1_000_000 },
    });
    member = await h.user('mia');
    await h.team('orders', [[member, 'member']]);
    await h.team('platform', [], { platform: true });
    const orders = (await h.store.getTeam({ name: 'orders' }))!;
    await h.store.createService({ teamId: orders.id, name: 'shop', description: 'The shop', lifecycle: 'experimental' });
    const logs = parseProductManifestsFromText(readFileSync(repo('products/logs.yaml'), 'utf8'), 'logs.yaml')[0]!;
    expect((await h.call(h.admin, 'POST', '/api/v1/products', logs)).statusCode).toBeLessThan(300);
    await h.product('platform');
    const created = await h.call(member, 'POST', '/api/v1/teams/orders/instances', { name: 'db1', product: 'pgdb' });
    expect(created.statusCode).toBe(202);
    await markReady(h.store, created.json(), { host: 'h' });
    valid.instanceId = created.json().id;
    valid.token = (await h.call(member, 'GET', '/api/v1/users/mia/tokens')).json().items[0].id;
  });
  afterAll(() => h.close());

  it('answers every one with a 4xx problem naming a documented code, never a 5xx', async () => {
    const document = (await h.app.inject({ url: '/api/openapi.json' })).json();
    const operations = operationsOf(document);
    expect(operations.length).toBeGreaterThan(40);
    const documented = readFileSync(repo('docs/errors.md'), 'utf8');
    const random = seededRandom(SEED);
    const callers: [string, Caller][] = [['admin', h.admin], ['member', member]];
    const failures: string[] = [];
    const codes = new Map<string, string>();

    const total = TOTAL[h.store.dialect];
    for (let i = 0; i < total; i++) {
      const op = operations[i % operations.length]!;
      const [who, caller] = callers[Math.floor(i / operations.length) % 2]!;
      const request: FuzzRequest = fuzzRequest(random, op, valid, examples);
      const res = await h.app.inject({
        method: request.method as 'GET',
        url: request.url,
        headers: { authorization: `Bearer ${caller.token}`, ...request.headers },
        ...(request.payload === undefined ? {} : { payload: request.payload }),
      });
      const name = `#${i} ${who} ${request.method} ${request.url.slice(0, 160)} (${request.defect})`;
      if (res.statusCode >= 500) failures.push(`${name}: ${res.statusCode} ${res.body.slice(0, 200)}`);
      if (res.statusCode < 400) continue;
      if (!String(res.headers['content-type']).startsWith('application/problem+json')) {
        failures.push(`${name}: ${res.statusCode} is not a problem (${res.headers['content-type']}): ${res.body.slice(0, 200)}`);
        continue;
      }
      const problem = res.json() as { code?: unknown; status?: unknown };
      if (typeof problem.code !== 'string' || !/^[a-z][a-z0-9_]*$/.test(problem.code) || problem.status !== res.statusCode) {
        failures.push(`${name}: malformed problem ${res.body.slice(0, 200)}`);
      } else if (!codes.has(problem.code)) {
        codes.set(problem.code, name);
      }
    }
    const undocumented = [...codes].filter(([code]) => !documented.includes(`\`${code}\``)).map(([code, first]) => `${code} (first: ${first})`);
    expect(failures.slice(0, 25), `${failures.length} of ${total} requests failed`).toEqual([]);
    expect(undocumented, 'codes missing from docs/errors.md').toEqual([]);
  }, 300_000);
});
