import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AuditRecord } from '@paved/model';
import { createMemoryDriver } from '@paved/driver-memory';
import { createSecretStore } from '@paved/secrets';
import { AuditChain, buildApp, createAuditSigner } from '@paved/server';
import type { Store } from '@paved/store';
import { eachStore, runSqlBehindStore } from '@paved/store/testing';
import { cliSandbox, newToken } from '../test-support.js';

/**
 * `paved audit` against a real API on a real store (both dialects): list, export, and verify,
 * with the log tampered with behind the server's back the ways someone who can write the
 * database would: a record edited, deleted, two swapped, the tail cut off, a checkpoint forged.
 */
let sandbox: Awaited<ReturnType<typeof cliSandbox>>;
beforeAll(async () => {
  sandbox = await cliSandbox();
});
afterAll(() => sandbox?.cleanup());

eachStore('paved audit', (open) => {
  /** A server with a few audited changes made through the CLI; `env` signs the CLI in as its admin. */
  async function world() {
    const store = await open();
    const signer = createAuditSigner(randomBytes(32));
    const app = await buildApp({
      store, version: 'test', logger: false, auditSigner: signer,
      secrets: createSecretStore({ store, masterKey: { key: randomBytes(32), id: 'testkey1' } }),
      targets: [{ name: 'mem', driver: 'memory', labels: {}, config: {} }],
      drivers: { memory: createMemoryDriver() },
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const admin = await store.createUser({ name: 'root', admin: true });
    const token = newToken();
    await store.createToken({ userId: admin.id, name: 'test', hash: token.hash });
    const env = { PAVED_URL: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, PAVED_TOKEN: token.token };
    const run = (argv: string[]) => sandbox.run(argv, { env });
    for (const argv of [['teams', 'create', 'alpha'], ['teams', 'create', 'beta'], ['users', 'create', 'ann'], ['teams', 'add-member', 'alpha', 'ann', '--role', 'owner']]) {
      const res = await run(argv);
      expect(res.code, res.stderr).toBe(0);
    }
    return { store, app, url: env.PAVED_URL, run, signer, checkpoint: () => new AuditChain(store, signer).checkpoint(), close: () => app.close() };
  }

  async function records(store: Store): Promise<AuditRecord[]> {
    return store.readAuditRecords({ afterSeq: 0, limit: 1000 });
  }

  it('lists what was done through the CLI, exports it, and verifies it, from the server or a file', async () => {
    const w = await world();
    try {
      const listed = await w.run(['audit', '-o', 'json']);
      expect(listed.code, listed.stderr).toBe(0);
      const items = JSON.parse(listed.stdout) as AuditRecord[];
      expect(items.map((r) => r.action).slice(0, 5)).toEqual(['setMembership', 'createUser', 'token.issue', 'createTeam', 'createTeam']);
      expect(items[0]).toMatchObject({ actor: 'root', target: { team: 'alpha', user: 'ann' }, outcome: { result: 'allowed', status: 200 }, source: { interface: 'cli' } });
      const table = await w.run(['audit', '--action', 'createTeam']);
      expect(table.stdout).toMatch(/SEQ\s+TIME\s+ACTOR\s+ACTION\s+TARGET\s+OUTCOME\s+FROM/);
      expect(table.stdout).toMatch(/root\s+createTeam\s+team=beta\s+allowed 201\s+cli 127\.0\.0\.1/);
      expect(JSON.parse((await w.run(['audit', '--limit', '2', '-o', 'json'])).stdout)).toHaveLength(2);

      const exported = await w.run(['audit', 'export']);
      expect(exported.code).toBe(0);
      const file = join(sandbox.dir, `audit-${w.store.dialect}.jsonl`);
      await writeFile(file, exported.stdout);
      expect(exported.stdout.split('\n')[0]).toMatch(/^\{"type":"header","format":"paved-audit","version":1/);

      const verified = await w.run(['audit', 'verify']);
      expect(verified.code, verified.stdout).toBe(0);
      expect(verified.stdout).toMatch(/the server's audit log: \d+ record\(s\), seq 1–\d+, 1 checkpoint\(s\)\nverified: no record was modified/);
      const keys = JSON.parse((await w.run(['audit', 'keys', '-o', 'json'])).stdout) as { publicKey: string }[];
      const offline = await sandbox.run(['audit', 'verify', '--file', file, '--public-key', keys[0]!.publicKey], { env: {} });
      expect(offline.code, offline.stdout + offline.stderr).toBe(0);
      expect(JSON.parse((await w.run(['audit', 'verify', '--file', file, '-o', 'json'])).stdout)).toMatchObject({ problems: [], partial: false });

      const other = await sandbox.run(['audit', 'verify', '--file', file, '--public-key', createAuditSigner(randomBytes(32)).key.publicKey], { env: {} });
      expect(other.code).toBe(1);
      expect(other.stdout).toMatch(/unknown-key: seq 1 is signed with key \w+, which is not a key you trust/);

      // A team owner exports their team's records: each one verifies, the chain between them is not claimed.
      const ann = JSON.parse((await w.run(['tokens', 'create', 'audit', '--user', 'ann', '-o', 'json'])).stdout).token as string;
      const teamFile = join(sandbox.dir, `alpha-${w.store.dialect}.jsonl`);
      await writeFile(teamFile, (await sandbox.run(['audit', 'export', '--team', 'alpha'], { env: { PAVED_URL: w.url, PAVED_TOKEN: ann } })).stdout);
      const partial = await sandbox.run(['audit', 'verify', '--file', teamFile, '--public-key', keys[0]!.publicKey], { env: {} });
      expect(partial.code, partial.stdout).toBe(0);
      expect(partial.stdout).toContain("one team's records: each record checked, not the chain between them");
      expect((await sandbox.run(['audit'], { env: { PAVED_URL: w.url, PAVED_TOKEN: ann } })).code).toBe(4);
    } finally {
      await w.close();
    }
  });

  it('names a modified record', async () => {
    const w = await world();
    try {
      await runSqlBehindStore(w.store, ["UPDATE audit_log SET actor = 'mallory' WHERE seq = 3"]);
      const res = await w.run(['audit', 'verify']);
      expect(res.code).toBe(1);
      expect(res.stdout).toContain("modified: modified record: seq 3's content does not match its hash");
    } finally {
      await w.close();
    }
  });

  it('names a deleted record', async () => {
    const w = await world();
    try {
      await runSqlBehindStore(w.store, ['DELETE FROM audit_log WHERE seq = 4']);
      const res = await w.run(['audit', 'verify']);
      expect(res.code).toBe(1);
      expect(res.stdout).toContain('deleted: deleted records: seq 4 is missing (gap before seq 5)');
    } finally {
      await w.close();
    }
  });

  it('names reordered records', async () => {
    const w = await world();
    try {
      // Rows 2 and 3 trade places; each keeps its content, hash and signature.
      await runSqlBehindStore(w.store, [
        'UPDATE audit_log SET seq = -1 WHERE seq = 2', 'UPDATE audit_log SET seq = 2 WHERE seq = 3', 'UPDATE audit_log SET seq = 3 WHERE seq = -1',
      ]);
      const res = await w.run(['audit', 'verify']);
      expect(res.code).toBe(1);
      expect(res.stdout).toContain('reordered: reordered records: seq 2 comes after seq 1, but its prev-hash is that of seq 3');
      expect(res.stdout).not.toMatch(/modified|deleted/);
    } finally {
      await w.close();
    }
  });

  it('names a truncated tail behind a stored checkpoint, and behind a kept export when the checkpoints went too', async () => {
    const w = await world();
    try {
      expect(await w.checkpoint()).toBeDefined();
      const kept = join(sandbox.dir, `kept-${w.store.dialect}.jsonl`);
      await writeFile(kept, (await w.run(['audit', 'export'])).stdout);
      const all = await records(w.store);
      const keep = all.at(-3)!;
      // The tail is cut and the head moved back to match, so that new records chain on cleanly.
      await runSqlBehindStore(w.store, [`DELETE FROM audit_log WHERE seq > ${keep.seq}`, `UPDATE audit_head SET seq = ${keep.seq}, hash = '${keep.hash}'`]);
      const res = await w.run(['audit', 'verify']);
      expect(res.code).toBe(1);
      expect(res.stdout).toContain(`truncated: truncated tail: the log ends at seq ${keep.seq}, but a checkpoint signed at`);

      await runSqlBehindStore(w.store, ['DELETE FROM audit_checkpoints']);
      // Without a checkpoint from elsewhere the shorter log looks whole: keep exports.
      expect((await w.run(['audit', 'verify'])).code).toBe(0);
      const trusted = await w.run(['audit', 'verify', '--checkpoint', kept]);
      expect(trusted.code).toBe(1);
      expect(trusted.stdout).toMatch(new RegExp(`truncated tail: the log ends at seq ${keep.seq}, but the trusted checkpoint signed at \\S+ covers seq ${all.at(-1)!.seq}`));
    } finally {
      await w.close();
    }
  });

  it('names a bad checkpoint signature', async () => {
    const w = await world();
    try {
      const checkpoint = (await w.checkpoint())!;
      const forged = `${checkpoint.signature.slice(0, -4)}AAAA`;
      await runSqlBehindStore(w.store, [`UPDATE audit_checkpoints SET signature = '${forged}'`]);
      const res = await w.run(['audit', 'verify']);
      expect(res.code).toBe(1);
      expect(res.stdout).toContain(`checkpoint: bad checkpoint signature: the checkpoint at seq ${checkpoint.seq}`);
      const missing = await w.run(['audit', 'verify', '--checkpoint', join(sandbox.dir, 'nope.jsonl')]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('does not exist');
      expect(await readFile(join(sandbox.dir, 'nope.jsonl')).catch(() => 'absent')).toBe('absent');
    } finally {
      await w.close();
    }
  });
});
