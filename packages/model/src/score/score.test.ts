import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkPlaceholders, parseScoreText, parseTemplate, renderVariables, scoreError, sharedInstanceName, workloadInstanceName } from './index.js';

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
    const dirs = readdirSync(FIXTURES, { withFileTypes: true }).filter((d) => d.isDirectory());
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
