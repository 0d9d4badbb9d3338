/**
 * Paved serving HTTPS with a certificate of its own (PAVED_TLS_CERT_FILE + PAVED_TLS_KEY_FILE),
 * and the CLI talking to it: trusting the certificate through NODE_EXTRA_CA_CERTS, explaining
 * itself when it does not, and saying when to retry once a token is over its rate limit.
 */
import { spawn } from 'node:child_process';
import { request as httpsRequest } from 'node:https';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSignedCertificate } from '../packages/server/src/http/certificate.test-support.js';
import { CLI, MACHINE_PG_TARGET, freePort, paved, pavedOk, tempDir, waitFor } from './harness.js';

/** The status of GET url for a client trusting only `ca`; 0 when it could not connect. */
const statusOf = (url: string, ca: string, headers: Record<string, string> = {}) => new Promise<number>((resolve) => {
  const req = httpsRequest(url, { ca, headers }, (res) => {
    res.resume();
    resolve(res.statusCode ?? 0);
  });
  req.on('error', () => resolve(0));
  req.end();
});

describe('paved over HTTPS', () => {
  const dir = tempDir('tls');
  const certificate = selfSignedCertificate(dir);
  const admin = { PAVED_CLI_CONFIG: join(dir, 'admin.json'), NODE_EXTRA_CA_CERTS: certificate.certFile };
  const serverEnv = { PAVED_DATA_DIR: join(dir, 'data'), ...MACHINE_PG_TARGET, PAVED_LOG_LEVEL: 'warn', PAVED_TLS_CERT_FILE: certificate.certFile, PAVED_TLS_KEY_FILE: certificate.keyFile };
  let stop: () => Promise<void> = async () => {};
  let url = '';

  beforeAll(async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [CLI, 'up'], {
      env: { ...process.env, NO_COLOR: '1', ...admin, ...serverEnv, PAVED_PORT: String(port), PAVED_RATE_LIMIT: '8' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const exited = new Promise((resolve) => child.on('exit', resolve));
    stop = async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    };
    url = `https://127.0.0.1:${port}`;
    await waitFor(`paved up over HTTPS:\n${output}`, () => (child.exitCode === null ? statusOf(`${url}/readyz`, certificate.cert).then((status) => status === 200) : Promise.reject(new Error(output))));
    // The API answers before `paved up` has saved the CLI's sign-in: wait for that too.
    await waitFor('the CLI config of paved up', async () => existsSync(admin.PAVED_CLI_CONFIG));
  }, 120_000);
  afterAll(async () => {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs the CLI in over https, and the CLI trusts the certificate through NODE_EXTRA_CA_CERTS', async () => {
    expect(JSON.parse(readFileSync(admin.PAVED_CLI_CONFIG, 'utf8')).url).toBe(url);
    const whoami = await pavedOk(['whoami', '-o', 'json'], admin);
    expect(JSON.parse(whoami).user.admin).toBe(true);
  });

  it('says why it cannot connect when the certificate is not trusted', async () => {
    const untrusted = await paved(['whoami'], { PAVED_CLI_CONFIG: admin.PAVED_CLI_CONFIG, NODE_EXTRA_CA_CERTS: '' });
    expect(untrusted.code).toBe(9);
    expect(untrusted.stderr).toContain(`cannot trust the TLS certificate of ${url}`);
    expect(untrusted.stderr).toContain('NODE_EXTRA_CA_CERTS');
  });

  it('shows a token over its rate limit as a clear message with when to retry', async () => {
    const ann = JSON.parse(await pavedOk(['users', 'create', 'ann', '-o', 'json'], admin)) as { token: string };
    // The server allows 8 an hour (PAVED_RATE_LIMIT): use them up, then ask through the CLI.
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push(await statusOf(`${url}/api/v1/whoami`, certificate.cert, { authorization: `Bearer ${ann.token}` }));
    expect(statuses).toEqual(Array(8).fill(200));
    const result = await paved(['whoami'], { PAVED_URL: url, PAVED_TOKEN: ann.token, NODE_EXTRA_CA_CERTS: certificate.certFile });
    expect(result.code).toBe(7);
    expect(result.stderr).toMatch(/Too many requests for this token: at most 8 an hour; retry in \d+ s/);
  });

  it('refuses to start with one TLS file but not the other, naming the missing variable', async () => {
    const { PAVED_TLS_KEY_FILE: _key, ...certOnly } = serverEnv;
    const result = await paved(['up', '--port', String(await freePort())], { ...admin, ...certOnly, PAVED_DATA_DIR: join(dir, 'other') });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('PAVED_TLS_KEY_FILE: is required with PAVED_TLS_CERT_FILE');
  });
});
