/**
 * Bad input from outside, through the real CLI and HTTP server: each gets a clear 4xx problem
 * (or the matching exit code) naming the field, and nothing half-written is left behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { paved, pavedOk, startPavedOnMachinePostgres, tempDir, type ServerProcess } from './harness.js';

describe('bad input end to end', () => {
  const dir = tempDir('bad-input');
  const admin = { PAVED_CLI_CONFIG: join(dir, 'admin.json') };
  let server: ServerProcess | undefined;
  let token = '';

  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${server!.url}/api/v1${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers }, body });

  beforeAll(async () => {
    server = await startPavedOnMachinePostgres(dir, admin);
    token = JSON.parse(readFileSync(admin.PAVED_CLI_CONFIG, 'utf8')).token;
    await pavedOk(['teams', 'create', 'shop'], admin);
  }, 120_000);
  afterAll(async () => server?.stop());

  it('rejects an invalid manifest naming the file and the path, and publishes nothing', async () => {
    const good = join(dir, 'good.yaml');
    const bad = join(dir, 'bad.yaml');
    const manifest = readFileSync(new URL('../products/secret.yaml', import.meta.url), 'utf8');
    writeFileSync(good, manifest.replace(/name: secret\b/, 'name: good-secret'));
    writeFileSync(bad, manifest.replace(/name: secret\b/, 'name: bad-secret').replace(/lifecycle: \w+/, 'lifecycle: forever'));
    const result = await paved(['apply', '-f', good, '-f', bad], admin);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('bad.yaml');
    expect(result.stderr).toContain('metadata.lifecycle');
    const products = await paved(['products', '-o', 'json'], admin);
    expect(products.stdout).not.toContain('good-secret'); // all files validated before any is published
  });

  it('refuses unknown products, bad names and SQL in names with the field named', async () => {
    const unknown = await paved(['create', 'no-such-product', 'x', '--team', 'shop'], admin);
    expect(unknown.code).toBe(5);
    expect(unknown.stderr).toMatch(/product/);
    for (const name of ['a'.repeat(41), "db'; DROP TABLE instances; --", 'Bad"Name']) {
      const result = await paved(['create', 'postgres', name, '--team', 'shop'], admin);
      expect(result.code, name).toBe(2);
      expect(result.stderr).toMatch(/name/);
    }
    const list = JSON.parse(await pavedOk(['list', '--team', 'shop', '-o', 'json'], admin));
    expect(Array.isArray(list) ? list : list.items).toHaveLength(0);
  });

  it('answers HTTP problems for oversized bodies, malformed JSON and wrong tokens', async () => {
    const huge = await post('/teams/shop/instances', JSON.stringify({ name: 'x', product: 'postgres', inputs: { pad: 'x'.repeat(2 * 1024 * 1024) } }));
    expect(huge.status).toBe(413);
    expect(huge.headers.get('content-type')).toContain('application/problem+json');
    const malformed = await post('/teams/shop/instances', '{"name": ');
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).code).toBeTruthy();
    const missing = await post('/teams/shop/instances', JSON.stringify({ product: 'postgres' }));
    expect(missing.status).toBe(400);
    expect(JSON.stringify(await missing.json())).toContain('name');
    const wrongToken = await fetch(`${server!.url}/api/v1/whoami`, { headers: { authorization: 'Bearer pvd_wrong' } });
    expect(wrongToken.status).toBe(401);
    const problem = await wrongToken.json();
    expect(problem.code).toBe('token_invalid'); // docs/errors.md
    const cli = await paved(['whoami'], { PAVED_URL: server!.url, PAVED_TOKEN: 'pvd_not-a-real-token', PAVED_CLI_CONFIG: join(dir, 'none.json') });
    expect(cli.code).toBe(3);
  });
});
