import { describe, expect, it } from 'vitest';
import {
  exampleProductManifest, parseScoreText,
  type Environment, type Instance, type ProductManifest, type ProductVersion, type ScoreWorkload,
} from '@paved/model';
import type { Target } from '@paved/driver-api';
import { planWorkload, type WorkloadPlanInput } from './planner.js';

/** A product like the built-in one of that name: the example manifest (postgres) reshaped. */
function product(name: string, change: (m: ProductManifest) => void = () => {}): ProductVersion {
  const manifest = exampleProductManifest();
  manifest.metadata.name = name;
  if (name !== 'postgres') {
    delete manifest.spec.targets;
    manifest.spec.inputs = { type: 'object', properties: {}, additionalProperties: false };
  }
  change(manifest);
  return { name, version: manifest.spec.version, manifest, digest: '', publishedAt: '' };
}
const PRODUCTS = new Map([
  product('postgres'), // driver postgres, selector tier=shared, input extensions (default []), plans small (default) and large
  product('redis', (m) => { m.spec.driver = 'redis'; }),
  product('secret', (m) => { m.spec.driver = 'secret'; }),
  product('logs', (m) => {
    m.spec.driver = 'log-stream';
    m.spec.bakedIn = true;
    m.spec.plans = { default: { default: true, values: { retention: '7d' } }, long: { values: { retention: '30d' } } };
  }),
  product('bundle', (m) => {
    m.spec.driver = 'composite';
    m.spec.plans = { standard: { default: true } };
    m.spec.includes = [{ name: 'db', product: 'postgres', plan: 'small' }, { name: 'key', product: 'secret' }];
  }),
].map((p) => [p.name, p]));

const TARGETS: Target[] = [
  { name: 'pg-shared', driver: 'postgres', labels: { tier: 'shared' }, config: {} },
  { name: 'redis-shared', driver: 'redis', labels: { tier: 'shared' }, config: {} },
  { name: 'local', driver: 'secret', labels: {}, config: {} },
  { name: 'local-logs', driver: 'log-stream', labels: {}, config: {} },
];
const DEV: Environment = { name: 'dev', description: '', targetSelector: {}, policies: {}, variables: {}, createdAt: '' };

function score(resources: string, variables = ''): ScoreWorkload {
  const text = `apiVersion: score.dev/v1b1\nmetadata:\n  name: shop\ncontainers:\n  web:\n    image: .\n${variables ? `    variables:\n${variables}` : ''}${resources ? `resources:\n${resources}` : ''}`;
  return parseScoreText(text, 'score.yaml').workload;
}

function input(workload: ScoreWorkload, over: Partial<WorkloadPlanInput> = {}): WorkloadPlanInput {
  return { team: 'alpha', service: 'shop', environment: DEV, workload, products: PRODUCTS, targets: TARGETS, existing: [], sharedExisting: new Map(), sharedReleasable: new Map(), ...over };
}

/** An instance as the store would hold it after applying `plan`'s desired state. */
function instance(name: string, product: string, fields: Partial<Instance> & { resource?: string; shared?: boolean } = {}): Instance {
  const { resource, shared, ...rest } = fields;
  return {
    id: `id-${name}`, teamId: 't', teamName: 'alpha', name, product, productVersion: '1.0.0', plan: 'small', inputs: {},
    externalName: `pv_${name.replace(/-/g, '_')}_00000000`, target: 't', generation: 1, observedGeneration: 1, deletionRequested: false,
    status: { phase: 'Ready', conditions: [] } as unknown as Instance['status'], outputs: {}, createdBy: 'ann', createdAt: '', updatedAt: '',
    credentials: { rotation: 0, rotating: false },
    workload: { service: 'shop', environment: 'dev', resource: resource ?? name, shared: shared ?? false },
    ...rest,
  };
}
const actions = (plan: ReturnType<typeof planWorkload>) => plan.changes.map((c) => `${c.action} ${c.resource} ${c.instance}${c.details.length ? ` (${c.details.join('; ')})` : ''}`);

describe('planWorkload', () => {
  it('creates every resource, plus the baked-in logs, on the targets the products select', () => {
    const plan = planWorkload(input(score('  db:\n    type: postgres\n  cache:\n    type: redis\n    class: default\n', '      DB: ${resources.db.host}\n')));
    expect(plan.problems).toEqual([]);
    expect(actions(plan)).toEqual(['create db shop-db-dev', 'create cache shop-cache-dev', 'create logs shop-logs-dev']);
    expect(plan.desired.map((d) => [d.name, d.product.name, d.plan, d.target, d.shared])).toEqual([
      ['shop-db-dev', 'postgres', 'small', 'pg-shared', false],
      ['shop-cache-dev', 'redis', 'small', 'redis-shared', false], // class "default": the product's default plan
      ['shop-logs-dev', 'logs', 'default', 'local-logs', false],
    ]);
    expect(plan.sharedIds).toEqual([]);
  });

  it('leaves what matches alone, updates a changed class, deletes what the file dropped, replaces a changed type', () => {
    const existing = [
      instance('shop-db-dev', 'postgres', { resource: 'db', inputs: { extensions: [] } }),
      instance('shop-cache-dev', 'postgres', { resource: 'cache', inputs: { extensions: [] } }),
      instance('shop-old-dev', 'redis', { resource: 'old' }),
      instance('shop-gone-dev', 'redis', { resource: 'gone', deletionRequested: true }),
      instance('shop-logs-dev', 'logs', { resource: 'logs', plan: 'default' }),
    ];
    const plan = planWorkload(input(score('  db:\n    type: postgres\n  cache:\n    type: redis\n'), { existing }));
    expect(plan.problems).toEqual([]);
    expect(actions(plan)).toEqual([
      'unchanged db shop-db-dev',
      'delete cache shop-cache-dev (product postgres → redis)',
      'create cache shop-cache-dev (replaces the postgres instance)',
      'unchanged logs shop-logs-dev',
      'delete old shop-old-dev (no longer in the file)', // an instance already being deleted is not asked again
    ]);

    const bigger = planWorkload(input(score('  db:\n    type: postgres\n    class: large\n'), { existing: [existing[0]!, existing[4]!] }));
    expect(actions(bigger)).toEqual(['update db shop-db-dev (plan small → large)', 'unchanged logs shop-logs-dev']);
    const params = planWorkload(input(score('  db:\n    type: postgres\n    params:\n      extensions: [citext]\n'), { existing: [existing[0]!] }));
    expect(actions(params)[0]).toBe('update db shop-db-dev (inputs {"extensions":[]} → {"extensions":["citext"]})');
  });

  it('waits for a name still held by an instance being deleted', () => {
    const plan = planWorkload(input(score('  db:\n    type: postgres\n'), { existing: [instance('shop-db-dev', 'postgres', { resource: 'db', deletionRequested: true })] }));
    expect(actions(plan)[0]).toBe('create db shop-db-dev (waits for the previous instance to be deleted)');
    expect(plan.notes).toEqual(['shop-db-dev is still being deleted; apply again once it is gone to create it anew']);
  });

  it('names a shared resource after its id, reuses it, and deletes it only when released', () => {
    const file = score('  db:\n    type: postgres\n    id: common-db\n');
    const first = planWorkload(input(file));
    expect(first.desired[0]).toMatchObject({ resource: 'common-db', name: 'common-db-dev', shared: true });
    expect(actions(first)[0]).toBe('create common-db common-db-dev');
    expect(first.sharedIds).toEqual(['common-db']);

    const shared = instance('common-db-dev', 'postgres', { inputs: { extensions: [] }, workload: { service: 'other', environment: 'dev', resource: 'common-db', shared: true } });
    expect(actions(planWorkload(input(file, { sharedExisting: new Map([['common-db', shared]]) })))[0]).toBe('unchanged common-db common-db-dev');

    // Dropped from the file: kept while another workload names it (not releasable), even when this service created it…
    const mine = { ...shared, workload: { service: 'shop', environment: 'dev', resource: 'common-db', shared: true } };
    const kept = planWorkload(input(score(''), { existing: [mine] }));
    expect(actions(kept)).toEqual(['create logs shop-logs-dev']);
    expect(kept.sharedIds).toEqual([]);
    // …and deleted once nobody names it.
    const released = planWorkload(input(score(''), { existing: [mine], sharedReleasable: new Map([['common-db', mine]]) }));
    expect(actions(released)).toEqual(['create logs shop-logs-dev', 'delete common-db common-db-dev (shared, and no workload names it any more)']);
  });

  it('bakes in products marked bakedIn unless the file asks for them, they are denied, or have no target', () => {
    const asked = planWorkload(input(score('  logs:\n    type: logs\n    class: long\n')));
    expect(asked.desired.map((d) => [d.name, d.plan])).toEqual([['shop-logs-dev', 'long']]);

    const denied = planWorkload(input(score(''), { environment: { ...DEV, name: 'prod', policies: { deniedProducts: ['logs'] } } }));
    expect(denied.changes).toEqual([]);
    expect(denied.notes).toEqual(['baked-in logs skipped: denied in environment prod']);

    const noTarget = planWorkload(input(score(''), { targets: TARGETS.filter((t) => t.driver !== 'log-stream') }));
    expect(noTarget.changes).toEqual([]);
    expect(noTarget.notes).toEqual(['baked-in logs skipped: no target is configured for it in environment dev']);
    expect(noTarget.problems).toEqual([]);
  });

  it('gives a composite product no target of its own, but needs one here for each part', () => {
    const plan = planWorkload(input(score('  app:\n    type: bundle\n')));
    expect(plan.problems).toEqual([]);
    expect(plan.desired[0]).toMatchObject({ name: 'shop-app-dev', target: 'composite', plan: 'standard' });

    const nowhere = planWorkload(input(score('  app:\n    type: bundle\n'), { environment: { ...DEV, name: 'qa', targetSelector: { tier: 'qa' } } }));
    expect(nowhere.problems).toEqual([{ path: ['resources', 'app', 'type'], message: expect.stringContaining('No target is configured for driver "postgres" with labels tier=qa') }]);
  });

  it('collects every problem of the file at once and plans nothing from them', () => {
    const env: Environment = { ...DEV, name: 'prod', targetSelector: { tier: 'shared' }, policies: { deniedProducts: ['redis'], allowedPlans: { postgres: ['large'] } } };
    const plan = planWorkload(input(score([
      '  q:\n    type: kafka\n',
      '  cache:\n    type: redis\n',
      '  db:\n    type: postgres\n',
      '  db2:\n    type: postgres\n    class: huge\n',
      '  db3:\n    type: postgres\n    class: large\n    params: { nope: 1 }\n',
      '  key:\n    type: secret\n',
    ].join(''), '      X: ${resources.db3.hots}\n'), { environment: env }));
    const problems = plan.problems.map((p) => `${p.path.join('.')}: ${p.message}`);
    expect(problems).toEqual([
      'resources.cache.type: redis may not be used in environment prod (its policy denies it)',
      'resources.db.class: plan small of postgres is not allowed in environment prod (allowed: large)',
      expect.stringMatching(/^resources\.db2\.class: .*huge/),
      expect.stringMatching(/^resources\.key\.type: No target is configured for driver "secret" with labels tier=shared/),
      'resources.q.type: no product serves Score type "kafka" here (types served: bundle, logs, postgres, redis, secret)',
      expect.stringMatching(/^resources: type kafka needs a product: a platform team maps each to a product of its own/),
      expect.stringMatching(/^resources\.db3\.params: .*nope/),
      expect.stringMatching(/^containers\.web\.variables\.X: \$\{resources\.db3\.hots\} names no output of resource "db3" \(postgres outputs: host, port/),
    ]);
    expect(plan.desired.filter((d) => d.resource !== 'logs')).toEqual([]);
  });
});
