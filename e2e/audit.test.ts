/**
 * The audit log end to end, through the built CLI and server on a PostgreSQL store: what a
 * member does through the CLI is recorded with its source and never its secrets; the log
 * verifies; then someone with write access to the database deletes a record and cuts the tail
 * (checkpoints too), and `paved audit verify` names both, the second against an export kept
 * from before.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '@paved/model';
import { paved, pavedOk, requireMachinePostgres, signUpMember, startPavedOnMachinePostgres, tempDatabase, tempDir, type ServerProcess } from './harness.js';

describe('audit log end to end', () => {
  let available = false;
  let server: ServerProcess | undefined;
  let db: { url: string; drop(): Promise<void> } | undefined;
  const dir = tempDir('audit');
  const admin = { PAVED_CLI_CONFIG: join(dir, 'admin.json') };

  beforeAll(async () => {
    available = await requireMachinePostgres();
    if (!available) return;
    db = await tempDatabase('e2e_audit');
    server = await startPavedOnMachinePostgres(dir, admin, { PAVED_DATABASE_URL: db.url });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await db?.drop();
  });

  async function sql(statement: string): Promise<void> {
    const client = new pg.Client({ connectionString: db!.url });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  }

  it('records what a member does, verifies, and names a deleted record and a cut-off tail', async (ctx) => {
    if (!available) return ctx.skip();
    await pavedOk(['teams', 'create', 'keys'], admin);
    const member = await signUpMember({ admin, team: 'keys', user: 'kim', url: server!.url });
    await pavedOk(['create', 'secret', 'api-key', '--team', 'keys', '--wait'], member.env);
    const secrets = JSON.parse(await pavedOk(['env', 'api-key', '--team', 'keys', '--format', 'json'], member.env)) as Record<string, string>;
    expect(Object.values(secrets).length).toBeGreaterThan(0);
    expect((await paved(['teams', 'create', 'not-mine'], member.env)).code).toBe(4);

    const records = JSON.parse(await pavedOk(['audit', '--actor', 'kim', '-o', 'json'], admin)) as AuditRecord[];
    expect(records.map((r) => `${r.action} ${r.outcome?.result ?? r.stage}`)).toEqual([
      'createTeam refused', 'revealCredentials allowed', 'createInstance allowed',
    ]);
    expect(records[1]).toMatchObject({ target: { team: 'keys', instance: 'api-key' }, source: { address: '127.0.0.1', interface: 'cli' } });
    expect(records[0]).toMatchObject({ outcome: { status: 403, code: 'admin_required' } });

    const kept = join(dir, 'kept.jsonl');
    const exported = await pavedOk(['audit', 'export'], admin);
    writeFileSync(kept, exported);
    for (const secret of [...Object.values(secrets), member.token]) expect(exported).not.toContain(secret);
    const verified = await paved(['audit', 'verify'], admin);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    expect(verified.stdout).toContain('verified: no record was modified, deleted or reordered');

    const lines = exported.trim().split('\n').map((line) => JSON.parse(line) as { type: string; seq: number; hash: string });
    const recordLines = lines.filter((l) => l.type === 'record');
    const gone = recordLines[3]!.seq;
    const keep = recordLines.at(-4)!;
    await sql(`DELETE FROM audit_log WHERE seq = ${gone}`);
    await sql(`DELETE FROM audit_log WHERE seq > ${keep.seq}`);
    await sql(`UPDATE audit_head SET seq = ${keep.seq}, hash = '${keep.hash}'`);
    await sql('DELETE FROM audit_checkpoints');

    const tampered = await paved(['audit', 'verify', '--checkpoint', kept], admin);
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toContain(`deleted: deleted records: seq ${gone} is missing (gap before seq ${gone + 1})`);
    expect(tampered.stdout).toMatch(new RegExp(`truncated: truncated tail: the log ends at seq \\d+, but the trusted checkpoint signed at \\S+ covers seq ${recordLines.at(-1)!.seq}`));
  }, 180_000);
});
