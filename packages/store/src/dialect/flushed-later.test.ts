import { generateKeyPairSync, sign } from 'node:crypto';
import { expect, it } from 'vitest';
import pg from 'pg';
import { auditKeyId, auditRecordHash, auditRecordMessage, type AuditEntry } from '@paved/model';
import { databaseUrlOf, eachStore, runSqlBehindStore } from '../testing.js';
import type { AuditSealer, Store } from '../types.js';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const keyId = auditKeyId(publicKey.export({ format: 'jwk' }).x!);
const seal: AuditSealer = ({ prevHash, entry }) => {
  const hash = auditRecordHash(prevHash, entry);
  return { hash, keyId, signature: sign(null, Buffer.from(auditRecordMessage(hash)), privateKey).toString('base64url') };
};
const entry = (actor: string): Omit<AuditEntry, 'at'> => ({ stage: 'received', actor, action: 'createInstance' });

/**
 * Notes, at each commit that writes an audit record or a secret, the `synchronous_commit` the
 * commit runs with: a deferred constraint trigger fires inside the committing transaction, after
 * its last statement, where a `set local` (or set_config(…, true)) of the transaction still holds.
 */
const NOTE_COMMITS = [
  'create table commit_settings (n serial primary key, what text not null, setting text not null)',
  `create function note_commit_setting() returns trigger language plpgsql as $$ begin
     insert into commit_settings (what, setting)
       values (coalesce(to_jsonb(new) ->> 'actor', to_jsonb(new) ->> 'name'), current_setting('synchronous_commit'));
     return null; end $$`,
  'create constraint trigger audit_commit after insert on audit_log deferrable initially deferred for each row execute function note_commit_setting()',
  'create constraint trigger secret_commit after insert or update on secrets deferrable initially deferred for each row execute function note_commit_setting()',
];

async function noted(store: Store): Promise<Record<string, string>> {
  const client = new pg.Client({ connectionString: databaseUrlOf(store) });
  await client.connect();
  try {
    const { rows } = await client.query<{ what: string; setting: string }>('select what, setting from commit_settings order by n');
    return Object.fromEntries(rows.map((row) => [row.what, row.setting]));
  } finally {
    await client.end();
  }
}

const sealedSecret = (ownerId: string, name: string) => ({ ownerId, name, envelope: `sealed ${name}`, keyId: 'k1' });

eachStore('writes flushed by a later commit on their path (flushedLater)', (open) => {
  it('commits the marked writes without waiting for the WAL flush, every other one as before', async () => {
    const store = await open();
    if (store.dialect !== 'postgres') {
      // SQLite's commits never wait for a flush (synchronous = NORMAL): the option changes nothing.
      await store.appendAuditRecord(entry('marked'), seal, { flushedLater: true });
      expect(await store.putSecret(sealedSecret('i-1', 'credentials'), { flushedLater: true })).toBe('written');
      return;
    }
    await runSqlBehindStore(store, NOTE_COMMITS);
    // One at a time: the audit record and the secret alone in their statement or batch.
    await store.appendAuditRecord(entry('plain'), seal);
    await store.appendAuditRecord(entry('marked'), seal, { flushedLater: true });
    await store.appendAuditRecord(entry('after-marked'), seal);
    await store.putSecret(sealedSecret('i-1', 'plain-secret'));
    await store.putSecret(sealedSecret('i-1', 'marked-secret'), { flushedLater: true });
    await store.putSecret(sealedSecret('i-1', 'after-marked-secret'));
    // Asked for together: one statement (audit) or one batch (secrets) shares one commit, which
    // waits for the flush unless every write of it is marked.
    await Promise.all([
      store.appendAuditRecord(entry('shared-marked'), seal, { flushedLater: true }),
      store.appendAuditRecord(entry('shared-plain'), seal),
    ]);
    await Promise.all([
      store.putSecret(sealedSecret('i-2', 'shared-marked-secret'), { flushedLater: true }),
      store.putSecret(sealedSecret('i-2', 'shared-plain-secret')),
    ]);
    await Promise.all([
      store.appendAuditRecord(entry('both-marked-1'), seal, { flushedLater: true }),
      store.appendAuditRecord(entry('both-marked-2'), seal, { flushedLater: true }),
    ]);
    expect(await noted(store)).toEqual({
      'plain': 'on', 'marked': 'off', 'after-marked': 'on',
      'plain-secret': 'on', 'marked-secret': 'off', 'after-marked-secret': 'on',
      'shared-marked': 'on', 'shared-plain': 'on',
      'shared-marked-secret': 'on', 'shared-plain-secret': 'on',
      'both-marked-1': 'off', 'both-marked-2': 'off',
    });
    // The records are there and chained, marked or not.
    expect((await store.readAuditRecords({ afterSeq: 0, limit: 100 })).map((r) => r.actor)).toEqual([
      'plain', 'marked', 'after-marked', 'shared-marked', 'shared-plain', 'both-marked-1', 'both-marked-2',
    ]);
  });
});
