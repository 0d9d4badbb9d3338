import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkPlaceholders, parseScoreText, parseTemplate, renderFiles, renderVariables, scoreError, sharedInstanceName, workloadInstanceName } from './index.js';

/** The Score project's own example files, copied unchanged into fixtures/score (see its README). */
const FIXTURES = fileURLToPath(new URL('../../../../fixtures/score', import.meta.url));
const fixturesPresent = existsSync(FIXTURES);
if (!fixturesPresent) {
  if (process.env.CI === 'true') throw new Error(`Score fixtures missing at ${FIXTURES} (CI=true: failing)`);
  console.warn(`skipping Score fixture tests: ${FIXTURES} does not exist`);
}

const WEB = `apiVersion: score.dev/v1b1
metadata:
  name: orders
  annotations:
    paved.dev/description: Takes orders
containers:
  web:
    image: .
    variables:
      DB_HOST: \${resources.db.host}
      DB_URL: "postgres://\${resources.db.username}@\${resources.db.host}/x"
      NAME: \${metadata.name}
      LITERAL: "$\${not.a.placeholder}"
      PORT: 8080
resources:
  db:
    type: postgres
    class: large
  cache:
    type: redis
    id: shared-cache
`;

const outputs = {
  db: { type: 'postgres', outputs: ['host', 'port', 'database', 'username', 'password', 'url'] },
  cache: { type: 'redis', outputs: ['host', 'port', 'password'] },
};

describe('score: parsing', () => {
  it.runIf(fixturesPresent)('parses every Score example fixture unchanged', () => {
    const dirs = readdirSync(FIXTURES, { withFileTypes: true }).filter((d) => d.isDirectory() && d.name !== 'wild');
    expect(dirs.map((d) => d.name).sort()).toEqual(['amqp', 'mysql', 'postgres', 'redis']);
    for (const dir of dirs) {
      const file = join(FIXTURES, dir.name, 'score.yaml');
      const { workload } = parseScoreText(readFileSync(file, 'utf8'), file);
      expect(workload.metadata.name).toBe('my-workload');
      const [resource] = Object.values(workload.resources ?? {});
      expect(resource?.type).toBe(dir.name);
      expect(checkPlaceholders(workload, Object.fromEntries(Object.entries(workload.resources ?? {}).map(([n, r]) => [n, { type: r.type, outputs: ['host', 'port', 'vhost', 'database', 'username', 'password'] }])))).toEqual([]);
    }
  });

  it.runIf(fixturesPresent)('parses all 73 files the Score project publishes (fixtures/score/wild), unchanged', () => {
    const files: string[] = [];
    const walk = (dir: string) => readdirSync(dir, { withFileTypes: true }).forEach((d) => (d.isDirectory() ? walk(join(dir, d.name)) : /^score.*\.ya?ml$/.test(d.name) && files.push(join(dir, d.name))));
    walk(join(FIXTURES, 'wild'));
    expect(files).toHaveLength(73);
    for (const file of files) expect(() => parseScoreText(readFileSync(file, 'utf8'), file), file).not.toThrow();
  });

  it('checks service ports, files and volumes in both of Score\'s forms, each problem at its line', () => {
    const text = `apiVersion: score.dev/v1b1
metadata: { name: w }
containers:
  web:
    image: .
    files:
      - { target: /a.txt, content: hi, source: a.txt }
      - { content: x }
    volumes:
      /data: { source: "\${resources.data}", readOnly: maybe }
service:
  ports:
    web: { port: 70000, protocol: SCTP }
`;
    const error = (() => { try { parseScoreText(text, 'score.yaml'); } catch (e) { return e as Error; } })();
    expect(error?.message.split('\n').slice(1).map((l) => l.trim())).toEqual([
      'score.yaml:8:9: containers.web.files.1.target: is required in the list form (the path in the container)',
      'score.yaml:7:9: containers.web.files.0: must have exactly one of source, content or binaryContent (has source, content)',
      'score.yaml:10:55: containers.web.volumes./data.readOnly: must be true or false',
      'score.yaml:13:18: service.ports.web.port: must be an integer from 1 to 65535',
      'score.yaml:13:35: service.ports.web.protocol: must be TCP or UDP',
    ]);
  });

  it('locates a path the server reports as a dotted string, file targets with dots included', () => {
    const parsed = parseScoreText('apiVersion: score.dev/v1b1\nmetadata: { name: w }\ncontainers:\n  web:\n    image: .\n    files:\n      /etc/app.conf: { content: "${resources.x.y}" }\n', 'score.yaml');
    expect(parsed.segments('containers.web.files./etc/app.conf.content')).toEqual(['containers', 'web', 'files', '/etc/app.conf', 'content']);
    expect(parsed.locate(parsed.segments('containers.web.files./etc/app.conf.content'))).toEqual({ file: 'score.yaml', line: 7, column: 33 });
    expect(parsed.segments('resources.db.type')).toEqual(['resources', 'db', 'type']);
  });

  it('reads the fields Paved uses and turns scalar variables into strings', () => {
    const { workload } = parseScoreText(WEB, 'score.yaml');
    expect(workload.resources).toEqual({ db: { type: 'postgres', class: 'large' }, cache: { type: 'redis', id: 'shared-cache' } });
    expect(workload.containers.web?.variables?.PORT).toBe('8080');
    expect(workload.metadata.annotations).toEqual({ 'paved.dev/description': 'Takes orders' });
  });

  it('names file:line:column and the path of every content problem at once', () => {
    const text = 'apiVersion: score.dev/v1b2\nmetadata:\n  name: Orders\ncontainers:\n  web: {}\nresources:\n  db:\n    klass: x\nextra: 1\n';
    const error = (() => { try { parseScoreText(text, 'score.yaml'); } catch (e) { return e as Error & { code: string; issues: { path: string }[] }; } })();
    expect(error?.code).toBe('score_invalid');
    expect(error?.message).toContain('score.yaml:1:13: apiVersion: must be score.dev/v1b1');
    expect(error?.message).toContain('score.yaml:3:9: metadata.name: "Orders" is not a valid service name');
    expect(error?.message).toContain('score.yaml:5:8: containers.web.image: is required');
    expect(error?.message).toContain('score.yaml:8:12: resources.db.klass: is not a resource field');
    expect(error?.message).toContain('score.yaml:8:5: resources.db.type: is required');
    expect(error?.message).toContain('score.yaml:9:8: extra: is not a Score field');
    expect(error?.issues.map((i) => i.path)).toContain('resources.db.type');
  });

  it('reports invalid YAML with its line', () => {
    expect(() => parseScoreText('apiVersion: score.dev/v1b1\nmetadata: {name: x\ncontainers: {}\n', 'bad.yaml')).toThrow(/^bad\.yaml:\d+:\d+: invalid YAML/);
  });
});

describe('score: placeholders', () => {
  it('splits text, references and the $${ escape', () => {
    expect(parseTemplate('a${resources.db.host}:$${x}b')).toEqual([{ text: 'a' }, { ref: ['resources', 'db', 'host'], source: '${resources.db.host}' }, { text: ':${x}b' }]);
    expect(() => parseTemplate('${resources.db')).toThrow(/no closing/);
    expect(() => parseTemplate('${}')).toThrow(/not a valid placeholder/);
  });

  it('finds placeholders naming no output or resource, with line and the outputs there are', () => {
    const parsed = parseScoreText(WEB.replace('${resources.db.host}', '${resources.db.hots}').replace('${metadata.name}', '${resources.queue.url}'), 'score.yaml');
    const problems = checkPlaceholders(parsed.workload, outputs);
    expect(problems).toHaveLength(2);
    const error = scoreError(problems, parsed.locate, 'score.yaml');
    expect(error.message).toContain('score.yaml:10:16: containers.web.variables.DB_HOST: ${resources.db.hots} names no output of resource "db" (postgres outputs: host, port, database, username, password, url)');
    expect(error.message).toContain('score.yaml:12:13: containers.web.variables.NAME: ${resources.queue.url} names no resource of this file (resources: db, cache)');
  });

  it('accepts valid placeholders and renders them, keeping escapes literal', () => {
    const { workload } = parseScoreText(WEB, 'score.yaml');
    expect(checkPlaceholders(workload, outputs)).toEqual([]);
    const vars = renderVariables(workload, { db: { host: 'h', username: 'u' }, cache: {} });
    expect(vars).toEqual({ DB_HOST: 'h', DB_URL: 'postgres://u@h/x', NAME: 'orders', LITERAL: '${not.a.placeholder}', PORT: '8080' });
    expect(() => renderVariables(workload, { db: {} })).toThrow(/DB_HOST: \$\{resources\.db\.host\} has no value/);
    expect(() => renderVariables(workload, {}, ['worker'])).toThrow(/no container "worker"/);
  });

  it('says why a Ready resource has no value for a placeholder: an environment variable set nowhere', () => {
    const { workload } = parseScoreText([
      'apiVersion: score.dev/v1b1', 'metadata: { name: web }',
      'containers: { web: { image: ., variables: { LOG: "${resources.env.LOG_LEVEL}" } } }',
      'resources: { env: { type: environment } }',
    ].join('\n'), 'score.yaml');
    expect(() => renderVariables(workload, { env: { REGION: 'eu' } })).toThrow(
      'containers.web.variables.LOG: ${resources.env.LOG_LEVEL} has no value: LOG_LEVEL is set neither in the environment\'s variables nor in the service\'s own config there (set it with: paved config set SERVICE LOG_LEVEL=VALUE --env ENV)',
    );
  });
});

describe('score: files and volumes', () => {
  const text = `apiVersion: score.dev/v1b1
metadata: { name: w }
containers:
  web:
    image: .
    files:
      /etc/a.conf: { content: "host=\${resources.db.host} name=\${metadata.name}" }
      /etc/raw: { content: "keep \${resources.db.host}", noExpand: true }
      /bin/blob: { binaryContent: aGVsbG8= , mode: "0600" }
      /etc/from: { source: from.txt }
    volumes:
      /data: { source: "\${resources.data}" }
      /bad: { source: plain }
resources:
  db: { type: postgres }
  data: { type: volume }
`;

  it('checks placeholders in file contents and volume sources; a volume names a whole resource', () => {
    const parsed = parseScoreText(text, 'score.yaml');
    const problems = checkPlaceholders(parsed.workload, { db: { type: 'postgres', outputs: ['host'] }, data: { type: 'volume', outputs: ['source'] } });
    expect(problems).toEqual([{ path: ['containers', 'web', 'volumes', '/bad', 'source'], message: '"plain" names no resource: use ${resources.NAME} for a volume resource of this file' }]);
    // A resource whose type no product serves was reported already: no second problem for it.
    expect(checkPlaceholders(parsed.workload, { data: { type: 'volume', outputs: ['source'] } }, new Set(['db']))).toHaveLength(1);
  });

  it('renders file contents, leaves noExpand and binary content alone, and reads sources beside the file', async () => {
    const parsed = parseScoreText(text, 'score.yaml');
    const files = await renderFiles(parsed.workload, 'web', { db: { host: 'h' }, data: { source: 'w-data-dev' } }, async (path) => `read ${path} for \${metadata.name}`);
    expect(files.map((f) => [f.target, f.content.toString('utf8'), f.mode])).toEqual([
      ['/etc/a.conf', 'host=h name=w', undefined],
      ['/etc/raw', 'keep ${resources.db.host}', undefined],
      ['/bin/blob', 'hello', 0o600],
      ['/etc/from', 'read from.txt for w', undefined],
    ]);
  });
});

describe('score: instance names', () => {
  it('is <service>-<resource>-<env> when that fits, else shortened with a stable hash', () => {
    expect(workloadInstanceName('orders', 'db', 'dev')).toBe('orders-db-dev');
    const long = workloadInstanceName('a-very-long-service-name-indeed', 'primary-database', 'staging');
    expect(long.length).toBeLessThanOrEqual(40);
    expect(long).toMatch(/^a-very-long-service-name-[a-z-]*[0-9a-f]{6}-staging$/);
    expect(workloadInstanceName('a-very-long-service-name-indeed', 'primary-database', 'staging')).toBe(long);
    expect(workloadInstanceName('a-very-long-service-name-indeed', 'primary-databasf', 'staging')).not.toBe(long);
    expect(workloadInstanceName('orders', '9lives', 'dev')).toBe('orders-9lives-dev');
    expect(sharedInstanceName('shared-cache', 'dev')).toBe('shared-cache-dev');
    expect(sharedInstanceName('cache.v2', 'dev')).toMatch(/^cache-v2-[0-9a-f]{6}-dev$/);
  });
});
