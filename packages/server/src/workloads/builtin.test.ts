import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { exampleProductManifest, parseProductManifestsFromText, parseScoreText, type Environment, type Instance, type ProductVersion } from '@paved/model';
import type { Target } from '@paved/driver-api';
import { planWorkload, type WorkloadPlanInput } from './planner.js';

/** The built-in products exactly as `paved up` publishes them. */
const PRODUCTS_DIR = fileURLToPath(new URL('../../../../products/', import.meta.url));
function builtIn(name: string): ProductVersion {
  const [manifest] = parseProductManifestsFromText(readFileSync(`${PRODUCTS_DIR}${name}.yaml`, 'utf8'), `${name}.yaml`);
  return { name, version: manifest!.spec.version, manifest: manifest!, digest: '', publishedAt: '' };
}
const PRODUCTS = new Map(['environment', 'service', 'service-port', 'dns', 'route', 'volume', 'redis'].map((n) => [n, builtIn(n)]));
const TARGETS: Target[] = [
  { name: 'local-workloads', driver: 'score', labels: {}, config: { domain: 'localhost', routerPort: 7470, workloadHost: '127.0.0.1' } },
  { name: 'redis-shared', driver: 'redis', labels: {}, config: {} },
];
const DEV: Environment = { name: 'dev', description: '', targetSelector: {}, policies: {}, variables: { LOG_LEVEL: 'debug', NAME: 'Ann' }, createdAt: '' };

function plan(text: string, over: Partial<WorkloadPlanInput> = {}) {
  const { workload } = parseScoreText(text, 'score.yaml');
  return planWorkload({
    team: 'alpha', service: workload.metadata.name, environment: DEV, workload, products: PRODUCTS, targets: TARGETS,
    existing: [], sharedExisting: new Map(), sharedReleasable: new Map(), ...over,
  });
}
const resolvedOf = (p: ReturnType<typeof plan>, resource: string) => p.desired.find((d) => d.resource === resource)?.inputs;
/** The instance the store would hold for a planned resource. */
function instanceOf(p: ReturnType<typeof plan>, resource: string): Instance {
  const want = p.desired.find((d) => d.resource === resource)!;
  return {
    id: `id-${want.name}`, teamId: 't', teamName: 'alpha', name: want.name, product: want.product.name, productVersion: '1.0.0', plan: want.plan, inputs: want.inputs,
    externalName: 'pv_x', target: want.target, generation: 1, observedGeneration: 1, deletionRequested: false,
    status: { phase: 'Ready', conditions: [] }, outputs: {}, createdBy: 'ann', createdAt: '', updatedAt: '', credentials: { rotation: 0, rotating: false },
    workload: { service: 'workload-b', environment: 'dev', resource, shared: false },
  } as Instance;
}

describe('Score types Paved serves itself', () => {
  it('gives a dns resource a hostname under the target\'s domain, and a route its host, path, URL and target', () => {
    // community-provisioners route/score.yaml: the route's host is the dns resource's output.
    const p = plan(`apiVersion: score.dev/v1b1
metadata: { name: my-workload }
containers: { c: { image: busybox, variables: { MSG: "Hello, \${resources.dns.host}!" } } }
resources:
  dns: { type: dns }
  route: { type: route, params: { host: "\${resources.dns.host}", path: /, port: 8080 } }
service: { ports: { tcp: { port: 8080, targetPort: 9898 } } }
`);
    expect(p.problems).toEqual([]);
    expect(resolvedOf(p, 'dns')).toEqual({ resolved: { host: 'my-workload.alpha.dev.localhost', url: 'http://my-workload.alpha.dev.localhost:7470' } });
    expect(resolvedOf(p, 'route')).toEqual({
      host: 'my-workload.alpha.dev.localhost', path: '/', port: 8080,
      resolved: { host: 'my-workload.alpha.dev.localhost', path: '/', url: 'http://my-workload.alpha.dev.localhost:7470/', target: 'http://127.0.0.1:9898' },
    });
  });

  it('refuses a route to a port the workload does not publish, and a path that is no expression', () => {
    const p = plan(`apiVersion: score.dev/v1b1
metadata: { name: w }
containers: { c: { image: x } }
resources:
  route: { type: route, params: { host: a.localhost, path: "/a/(", port: web } }
service: { ports: { http: { port: 80 } } }
`);
    expect(p.problems.map((x) => `${x.path.join('.')}: ${x.message}`)).toEqual([
      'resources.route.params.path: "/a/(" is not a valid regular expression (score-compose matches paths as expressions)',
      'resources.route.params.port: "web" is no port of this workload (service.ports: http)',
    ]);
  });

  it('reaches another workload of the team: its host now, its port once it is applied; service-port waits for it', () => {
    // score-compose 08-service-port-resource/scoreB.yaml
    const b = `apiVersion: score.dev/v1b1
metadata: { name: workload-b }
containers: { example: { image: busybox, variables: { DEPENDENCY_URL: "http://\${resources.dependency.hostname}:\${resources.dependency.port}" } } }
resources:
  dependency: { type: service-port, params: { workload: workload-a, port: web } }
`;
    const before = plan(b);
    expect(before.problems).toEqual([]);
    expect(resolvedOf(before, 'dependency')).toMatchObject({ resolved: { hostname: '127.0.0.1', host: '127.0.0.1' }, waitingFor: 'workload workload-a to be applied in dev (its service.ports give the port)' });
    const workloads = new Map([['workload-a', { web: { port: 8080, targetPort: 80 } }]]);
    expect(resolvedOf(plan(b, { workloads }), 'dependency')).toEqual({
      workload: 'workload-a', port: 'web', resolved: { hostname: '127.0.0.1', host: '127.0.0.1', port: '80', url: 'http://127.0.0.1:80' },
    });
    // Applied before workload-a published its port: the next plan says what changes, not the whole record.
    const existing = [{ ...instanceOf(before, 'dependency'), inputs: resolvedOf(before, 'dependency')! }];
    expect(plan(b, { workloads, existing }).changes[0]).toMatchObject({
      action: 'update', details: ['outputs port (none) → 80, url (none) → http://127.0.0.1:80'],
    });
    expect(plan(b.replace('port: web', 'port: grpc'), { workloads }).problems).toEqual([
      { path: ['resources', 'dependency', 'params', 'port'], message: '"grpc" is no port of workload workload-a in dev (its service.ports: web)' },
    ]);

    // The community `service` type: the workload is the resource's name; its one port, when applied.
    const frontend = `apiVersion: score.dev/v1b1
metadata: { name: frontend }
containers: { c: { image: x, variables: { BACKEND: "http://\${resources.backend.name}", URL: "\${resources.backend.url}" } } }
resources: { backend: { type: service } }
`;
    const early = plan(frontend);
    expect(resolvedOf(early, 'backend')).toEqual({ resolved: { name: '127.0.0.1', host: '127.0.0.1' } });
    expect(early.notes).toContain('backend: workload backend is not applied in dev yet: its port and url are filled in when it is');
    expect(resolvedOf(plan(frontend, { workloads: new Map([['backend', { http: { port: 3000 } }]]) }), 'backend')).toEqual({
      resolved: { name: '127.0.0.1', host: '127.0.0.1', port: '3000', url: 'http://127.0.0.1:3000' },
    });
  });

  it('gives an environment resource the environment\'s variables under the service\'s own config, and notes a value set nowhere', () => {
    // score-compose 02-environment/score.yaml
    const p = plan(`apiVersion: score.dev/v1b1
metadata: { name: hello-world }
containers: { hello: { image: busybox, variables: { NAME: "\${resources.env.NAME}", LEVEL: "\${resources.env.LOG_LEVEL}", X: "\${resources.env.UNSET}" } } }
resources: { env: { type: environment } }
`, { config: { NAME: 'Bob' } });
    expect(p.problems).toEqual([]);
    expect(resolvedOf(p, 'env')).toEqual({ resolved: { LOG_LEVEL: 'debug', NAME: 'Bob' } });
    expect(p.notes).toEqual(['env: UNSET is not set in dev; set it with: paved config set hello-world UNSET=VALUE --env dev']);
  });

  it('names a volume after its instance, and refuses params Paved sets or that name outputs not known when planning', () => {
    const p = plan(`apiVersion: score.dev/v1b1
metadata: { name: w }
containers: { c: { image: x, volumes: { /data: { source: "\${resources.data}" } } } }
resources:
  data: { type: volume }
  cache: { type: redis }
  dns: { type: dns, params: { resolved: { host: evil } } }
  route: { type: route, params: { host: "\${resources.cache.host}", path: /, port: 80 } }
service: { ports: { web: { port: 80 } } }
`);
    expect(resolvedOf(p, 'data')).toEqual({ resolved: { source: 'w-data-dev', name: 'w-data-dev', type: 'volume' } });
    expect(p.problems.map((x) => `${x.path.join('.')}: ${x.message}`)).toEqual([
      'resources.dns.params.resolved: is set by Paved, not by the file',
      expect.stringMatching(/^resources\.route\.params\.host: \$\{resources\.cache\.host\}: params can name outputs of the types Paved works out when it plans .*cache is a redis resource/),
    ]);
  });

  it('maps a type to the product that lists it in spec.score.types; two claiming one type is the platform\'s to fix', () => {
    const mongo = exampleProductManifest();
    mongo.metadata.name = 'document-db';
    mongo.spec.driver = 'redis';
    delete mongo.spec.targets;
    mongo.spec.score = { types: ['mongodb'] };
    mongo.spec.inputs = { type: 'object', additionalProperties: false };
    mongo.spec.outputs = { connection: { secret: true } };
    const products = new Map([...PRODUCTS, ['document-db', { name: 'document-db', version: '1.0.0', manifest: mongo, digest: '', publishedAt: '' }]]);
    const file = `apiVersion: score.dev/v1b1
metadata: { name: w }
containers: { c: { image: x, variables: { A: "\${resources.db.connection}", B: "\${resources.bus.host}" } } }
resources: { db: { type: mongodb }, bus: { type: kafka-topic } }
`;
    const p = plan(file, { products });
    expect(p.desired.find((d) => d.resource === 'db')?.product.name).toBe('document-db');
    // The unmapped type is named once, with what to do; its placeholder gets no second error.
    expect(p.problems.map((x) => x.path.join('.'))).toEqual(['resources.bus.type', 'resources']);
    expect(p.problems[1]!.message).toMatch(/^type kafka-topic needs a product: a platform team maps each to a product of its own by listing it in that product's spec\.score\.types \(e\.g\. spec\.score\.types: \[kafka-topic\]\)/);

    const rival = structuredClone(mongo);
    rival.metadata.name = 'mongo-two';
    const both = new Map([...products, ['mongo-two', { name: 'mongo-two', version: '1.0.0', manifest: rival, digest: '', publishedAt: '' }]]);
    expect(plan(file, { products: both }).problems[0]).toEqual({ path: ['resources', 'db', 'type'], message: 'Score type "mongodb" is claimed by several products (document-db, mongo-two) in their spec.score.types: their platform team must keep one' });
  });
});
