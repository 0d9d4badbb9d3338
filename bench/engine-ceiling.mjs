// The engine's ceiling on this machine (engine-throughput.mjs --ceiling): the row work a pass
// must do durably, in the engine's order and with its grouping, in plain SQL through the raw
// driver (better-sqlite3, pg), with no engine, no store and no Kysely. What Paved's engine does
// beyond this is its own cost; what this does, every pass of any engine on this schema pays.
//
// Per instance, as a first pass with the in-memory driver writes it (the statements a run of the
// engine sent, traced: bench/README.md §3 round 19; SQLite's as the store's texts, but the
// intent's and Ready's guard is the lease alone, without the held row's status-hash guard; on
// PostgreSQL the store's claim itself, and a wave's writes of a kind as one multi-row statement
// of VALUES rows where the store binds binary arrays to unnest, each committing by itself):
//   1. the claim, with its lease (a wave of instances at once: SQLite an update and a read of the
//      whole rows in one immediate transaction, PostgreSQL the store's one-statement claim);
//   2. the intent (status Provisioning, pendingAction create), guarded by the lease, and the
//      generated secret (16 random bytes, sealed) — both committed before the driver is called;
//   3. the driver's create (the in-memory resource: a Map entry), counted for exactly-once;
//   4. the credentials secret (sealed), committed before Ready;
//   5. Ready: the row (outputs, status, due at the drift check) with the lease released in the
//      same statement, its `instance.ready` event and its request row's `ready_at`, one commit.
// Secrets are sealed with @paved/secrets' own SecretBox (two AES-GCM operations a seal, an
// envelope per secret), unless `seal: false` (the crypto's share, measured as a variant).
// The grouping: SQLite's group commit takes at most 64 writes a transaction and the engine's 64
// passes move in step under load (each kind of write of a wave in one commit: 5 commits a wave,
// 0.078 a pass, as counted in an engine run); on PostgreSQL two lanes of 32 (the engine's two
// write connections, 64 passes in flight): 0.16 commits a pass, where the engine's own count is
// 0.11-0.18 with one worker and 0.15-0.21 with two (pg_stat_database). A wave is `wave` instances.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** What the in-memory driver's product declares and writes (bench: outputs name, token secret). */
const PRODUCT = 'kv';
const TARGET = 'mem';
const DRIFT_MS = 3_600_000;
const CHANNEL = 'paved_instances';

/**
 * The secrets package (its SecretBox), the model's ids and the store's claim statement on
 * PostgreSQL (claim-statement.ts: the ceiling claims with the very text the engine does), from
 * the build under `root`.
 */
export async function ceilingParts(root, masterKey) {
  const load = (path, file = 'index.js') => import(pathToFileURL(join(root, 'packages', path, 'dist', file)).href);
  const [secrets, model, claim] = await Promise.all([load('secrets'), load('model'), load('store', 'repos/claim-statement.js')]);
  const box = secrets.createSecretBox({ key: masterKey, id: secrets.masterKeyId(masterKey) });
  return { box, newId: model.newId, pgClaim: claim.CLAIM };
}

/** A pass's status texts and hash, as the engine writes them (same fields, same sizes). */
function provisioningStatus(externalName, iso) {
  return JSON.stringify({
    phase: 'Provisioning',
    conditions: [
      { type: 'Ready', status: 'False', reason: 'Creating', message: `Creating ${PRODUCT} "${externalName}" on target "${TARGET}".`, lastTransitionAt: iso },
      { type: 'Synced', status: 'False', reason: 'Creating', message: 'Applying generation 1 of the spec.', lastTransitionAt: iso },
    ],
  });
}

function readyStatus(externalName, iso) {
  return JSON.stringify({
    phase: 'Ready',
    conditions: [
      { type: 'Ready', status: 'True', reason: 'Available', message: `${PRODUCT} "${externalName}" on target "${TARGET}" is ready; its credentials are in the secret store.`, lastTransitionAt: iso },
      { type: 'Synced', status: 'True', reason: 'ReconcileSuccess', message: 'The resource matches generation 1 of the spec.', lastTransitionAt: iso },
    ],
    readyAt: iso,
  });
}

const hashOf = (status, outputs, generation) => createHash('sha256').update(status).update(outputs).update(String(generation)).digest('hex');

/** A secret's envelope: sealed as the secret store seals it (aad = JSON of owner and name), or a same-sized stand-in. */
function envelopeFor(parts, seal, ownerId, name, values) {
  if (seal) return parts.box.seal(values, JSON.stringify([ownerId, name]));
  return `{"v":1,"kid":"${parts.box.keyId}","unsealed":${JSON.stringify(values)},"pad":"${'x'.repeat(150)}"}`;
}

/** One pass's values for its writes after the claim; `row` as the claim read it. */
function passValues(parts, seal, row, now) {
  const iso = new Date(now).toISOString();
  const externalName = row.external_name;
  const intentStatus = provisioningStatus(externalName, iso);
  const token = randomBytes(16).toString('hex');
  return {
    id: row.id,
    teamId: row.team_id,
    externalName,
    token,
    createdAt: row.created_at,
    intentStatus,
    intentHash: hashOf(intentStatus, '{}', 0),
    intentAt: iso,
    generated: envelopeFor(parts, seal, row.id, 'generated', { token }),
  };
}

function readyValues(parts, seal, pass, now) {
  const iso = new Date(now).toISOString();
  const outputs = JSON.stringify({ name: pass.externalName });
  const status = readyStatus(pass.externalName, iso);
  const created = Date.parse(pass.createdAt);
  return {
    credentials: envelopeFor(parts, seal, pass.id, 'credentials', { token: pass.token }),
    outputs,
    status,
    hash: hashOf(status, outputs, 1),
    at: iso,
    atMs: now,
    dueAt: now + DRIFT_MS,
    eventId: parts.newId(now),
    eventData: JSON.stringify({ timeToReadyMs: now - created, queuedMs: 0, checksMs: 0 }),
  };
}

const CLAIM_READ_COLUMNS = '"instances".*, "teams"."name" as "team_name", "services"."name" as "service_name", "parents"."name" as "parent_name", '
  + 'exists (select "secrets"."owner_id" from "secrets" where "secrets"."owner_id" = "instances"."id") as "secrets_stored"';
const SECRET_UPSERT_SQLITE = 'with "active" as (select "active_key_id" from "keyring" where "id" = ?) insert into "secrets" ("owner_id", "name", "envelope", "key_id", "updated_at") '
  + 'select ? as "owner_id", ? as "name", ? as "envelope", ? as "key_id", ? as "updated_at" where not exists (select "active_key_id" from "active" where "active_key_id" <> ?) '
  + 'on conflict ("owner_id", "name") do update set "envelope" = "excluded"."envelope", "key_id" = "excluded"."key_id", "updated_at" = "excluded"."updated_at"';

/**
 * SQLite, one process: waves of `wave` instances (the engine's 64 passes in step), each write
 * kind of a wave in one immediate transaction, as the group commit makes them under load.
 * `db` is a better-sqlite3 connection opened as the store opens its own (pragmas included).
 */
export function runCeilingSqlite(db, parts, { wave = 64, seal = true, leaseMs = 60_000 } = {}) {
  const owner = `ceiling:${process.pid}`;
  const claim = db.prepare('update "instances" set "lease_owner" = ?, "lease_token" = ?, "lease_expires_at" = ?, "claimed_generation" = "generation", "claimed_desired_rotation" = "desired_rotation" '
    + 'where "id" in (select "id" from "instances" where "due_at" <= ? and ("lease_expires_at" is null or "lease_expires_at" <= ?) order by "due_at", "seq" limit ?) returning "id"');
  const reads = new Map();
  const claimRead = (n) => {
    let statement = reads.get(n);
    if (statement === undefined) {
      statement = db.prepare(`select ${CLAIM_READ_COLUMNS} from "instances" inner join "teams" on "teams"."id" = "instances"."team_id" `
        + 'left join "services" on "services"."id" = "instances"."service_id" left join "instances" as "parents" on "parents"."id" = "instances"."parent_id" '
        + `where "instances"."id" in (${Array(n).fill('?').join(', ')}) order by "instances"."due_at", "instances"."seq"`);
      reads.set(n, statement);
    }
    return statement;
  };
  const intent = db.prepare('update "instances" set "observed_generation" = ?, "outputs" = ?, "pending_action" = ?, "status" = ?, "status_hash" = ?, "updated_at" = ? where "id" = ? and "lease_token" = ?');
  const upsert = db.prepare(SECRET_UPSERT_SQLITE);
  const ready = db.prepare('update "instances" set "attempts" = ?, "due_at" = ?, "lease_expires_at" = ?, "lease_owner" = ?, "lease_token" = ?, "observed_generation" = ?, "outputs" = ?, "pending_action" = ?, "status" = ?, "status_hash" = ?, "updated_at" = ? where "id" = ? and "lease_token" = ?');
  const event = db.prepare('insert into "events" ("id", "at", "kind", "team_id", "instance_id", "actor", "data") values (?, ?, ?, ?, ?, ?, ?)');
  const request = db.prepare('update "instance_requests" set "ready_at" = ? where "instance_id" = ? and "ready_at" is null');
  const begin = db.prepare('begin immediate');
  const commit = db.prepare('commit');
  let commits = 0;
  const inTransaction = (fn) => {
    begin.run();
    try {
      fn();
    } catch (error) {
      db.exec('rollback');
      throw error;
    }
    commit.run();
    commits++;
  };
  const changedOne = (result, what) => {
    if (result.changes !== 1) throw new Error(`the ceiling's ${what} changed ${result.changes} rows (a lease lost?)`);
  };
  const keyId = parts.box.keyId;
  const created = [];
  const resources = new Map();
  for (;;) {
    const now = Date.now();
    const leaseToken = randomUUID();
    let rows = [];
    inTransaction(() => {
      const ids = claim.all(owner, leaseToken, now + leaseMs, now, now, wave).map((r) => r.id);
      if (ids.length > 0) rows = claimRead(ids.length).all(...ids);
    });
    if (rows.length === 0) break;
    const passes = rows.map((row) => passValues(parts, seal, row, Date.now()));
    inTransaction(() => {
      for (const p of passes) changedOne(intent.run(0, '{}', 'create', p.intentStatus, p.intentHash, p.intentAt, p.id, leaseToken), 'intent');
    });
    inTransaction(() => {
      for (const p of passes) changedOne(upsert.run(1, p.id, 'generated', p.generated, keyId, p.intentAt, keyId), 'generated secret');
    });
    // The driver's create, once each, only after the intent and the generated secret are committed.
    for (const p of passes) {
      resources.set(p.externalName, p.token);
      created.push(p.id);
    }
    const done = passes.map((p) => readyValues(parts, seal, p, Date.now()));
    inTransaction(() => {
      passes.forEach((p, i) => changedOne(upsert.run(1, p.id, 'credentials', done[i].credentials, keyId, done[i].at, keyId), 'credentials'));
    });
    inTransaction(() => {
      passes.forEach((p, i) => {
        const r = done[i];
        changedOne(ready.run(0, r.dueAt, null, null, null, 1, r.outputs, null, r.status, r.hash, r.at, p.id, leaseToken), 'Ready');
        event.run(r.eventId, r.at, 'instance.ready', p.teamId, p.id, null, r.eventData);
        changedOne(request.run(r.atMs, p.id), 'request row');
      });
    });
  }
  return { created, commits };
}

/** `rows` rows of `columns` as a VALUES list from $`first`, the first row's parameters cast. */
function valuesList(rows, types) {
  const out = [];
  let n = 1;
  for (let r = 0; r < rows; r++) {
    out.push(`(${types.map((type) => (r === 0 ? `$${n++}::${type}` : `$${n++}`)).join(', ')})`);
  }
  return out.join(', ');
}

/** A statement text by its row count, prepared once a connection under its own name. */
function statementsByRows(name, make) {
  const texts = new Map();
  return (rows) => {
    let text = texts.get(rows);
    if (text === undefined) {
      text = make(rows);
      texts.set(rows, text);
    }
    return { name: `${name}_${rows}`, text };
  };
}

// A wave's intents: guarded by the lease, announced (pg_notify, as a status write is).
const pgIntent = statementsByRows('ceiling_intent', (rows) => `with "v" ("id", "tok", "status", "hash", "at", "payload") as (values ${valuesList(rows, ['text', 'text', 'text', 'text', 'text', 'text'])}) `
  + 'update "instances" as i set "observed_generation" = 0, "outputs" = \'{}\', "pending_action" = \'create\', "status" = v."status", "status_hash" = v."hash", "updated_at" = v."at" '
  + `from "v" where i."id" = v."id" and i."lease_token" = v."tok" returning i."id", pg_notify('${CHANNEL}', v."payload") as "announced"`);

// A wave's secrets of one name: the store's upsert, under the keyring row's shared lock (a key switch waits).
const pgSecrets = statementsByRows('ceiling_secrets', (rows) => 'with "active" as (select "active_key_id" from "keyring" where "id" = 1 for share) '
  + 'insert into "secrets" ("owner_id", "name", "envelope", "key_id", "updated_at") '
  + `select r."owner_id", r."name", r."envelope", r."key_id", r."updated_at" from (values ${valuesList(rows, ['text', 'text', 'text', 'text', 'text'])}) as r("owner_id", "name", "envelope", "key_id", "updated_at") `
  + 'where not exists (select 1 from "active" where "active_key_id" <> r."key_id") '
  + 'on conflict ("owner_id", "name") do update set "envelope" = excluded."envelope", "key_id" = excluded."key_id", "updated_at" = excluded."updated_at"');

// A wave's Ready: the row with its lease released, announced, its event and its request row's ready_at, one statement.
const pgReady = statementsByRows('ceiling_ready', (rows) => `with "v" ("id", "tok", "status", "hash", "outputs", "at", "due_at", "payload", "event_id", "team_id", "data", "at_ms") as (values ${valuesList(rows, ['text', 'text', 'text', 'text', 'text', 'text', 'bigint', 'text', 'text', 'text', 'text', 'bigint'])}), `
  + '"changed" as (update "instances" as i set "attempts" = 0, "due_at" = v."due_at", "lease_expires_at" = null, "lease_owner" = null, "lease_token" = null, '
  + '"observed_generation" = 1, "outputs" = v."outputs", "pending_action" = null, "status" = v."status", "status_hash" = v."hash", "updated_at" = v."at" '
  + `from "v" where i."id" = v."id" and i."lease_token" = v."tok" returning i."id", pg_notify('${CHANNEL}', v."payload") as "announced"), `
  + '"appended" as (insert into "events" ("id", "at", "kind", "team_id", "instance_id", "actor", "data") '
  + 'select v."event_id", v."at", \'instance.ready\', v."team_id", v."id", null, v."data" from "v" join "changed" as c on c."id" = v."id"), '
  + '"outcome" as (update "instance_requests" as r set "ready_at" = v."at_ms" from "v" join "changed" as c on c."id" = v."id" where r."instance_id" = v."id" and r."ready_at" is null) '
  + 'select "id" from "changed"');

/**
 * PostgreSQL, one process: `lanes` waves in flight, each on a pipelined connection of its own
 * (the engine's two write connections), each wave's write of a kind one multi-row statement
 * committing by itself: claim, then intent and generated secrets (sent together), then the
 * credentials, then Ready. `clients`: connected pg.Clients in pipeline mode, one a lane (left
 * open: the caller samples their backends' CPU before it ends them).
 * A lane stops when its claim finds nothing due (another process's leased rows are its own).
 */
export async function runCeilingPostgres(clients, parts, { wave = 32, seal = true, leaseMs = 60_000 } = {}) {
  const owner = `ceiling:${process.pid}`;
  const origin = randomUUID();
  const keyId = parts.box.keyId;
  const created = [];
  const resources = new Map();
  let commits = 0;
  const expect = (result, rows, what) => {
    if (result.rowCount !== rows) throw new Error(`the ceiling's ${what} changed ${result.rowCount} of ${rows} rows (a lease lost?)`);
  };
  async function lane(client) {
    for (;;) {
      const now = Date.now();
      const leaseToken = randomUUID();
      const claimed = await client.query({ name: 'ceiling_claim', text: parts.pgClaim, values: [owner, leaseToken, now + leaseMs, now, wave] });
      commits++;
      const rows = claimed.rows;
      if (rows.length === 0) return;
      const passes = rows.map((row) => passValues(parts, seal, row, Date.now()));
      const n = passes.length;
      const payload = (p) => JSON.stringify({ instanceId: p.id, teamId: p.teamId, origin });
      const intentValues = passes.flatMap((p) => [p.id, leaseToken, p.intentStatus, p.intentHash, p.intentAt, payload(p)]);
      const generatedValues = passes.flatMap((p) => [p.id, 'generated', p.generated, keyId, p.intentAt]);
      // Both out in one flight; the driver is called once both have committed.
      const [intents, generated] = await Promise.all([
        client.query({ ...pgIntent(n), values: intentValues }),
        client.query({ ...pgSecrets(n), values: generatedValues }),
      ]);
      commits += 2;
      expect(intents, n, 'intent');
      expect(generated, n, 'generated secrets');
      for (const p of passes) {
        resources.set(p.externalName, p.token);
        created.push(p.id);
      }
      const done = passes.map((p) => readyValues(parts, seal, p, Date.now()));
      expect(await client.query({ ...pgSecrets(n), values: passes.flatMap((p, i) => [p.id, 'credentials', done[i].credentials, keyId, done[i].at]) }), n, 'credentials');
      commits++;
      const readyRows = passes.flatMap((p, i) => {
        const r = done[i];
        return [p.id, leaseToken, r.status, r.hash, r.outputs, r.at, r.dueAt, payload(p), r.eventId, p.teamId, r.eventData, r.atMs];
      });
      expect(await client.query({ ...pgReady(n), values: readyRows }), n, 'Ready');
      commits++;
    }
  }
  await Promise.all(clients.map((client) => lane(client)));
  return { created, commits };
}

/**
 * The rows every pass must have left, counted on the database after a run (engine or ceiling):
 * `count(sql)` answers a count. Throws on the first that is not `instances`.
 */
export async function checkRowWork(count, instances) {
  const expected = {
    'Ready instances': [`select count(*) as n from "instances" where "status" like '{"phase":"Ready"%' and "lease_token" is null`, instances],
    'secrets (generated and credentials)': ['select count(*) as n from "secrets"', 2 * instances],
    '`instance.ready` events': [`select count(*) as n from "events" where "kind" = 'instance.ready'`, instances],
    'request rows with ready_at': ['select count(*) as n from "instance_requests" where "ready_at" is not null', instances],
  };
  for (const [what, [sql, want]] of Object.entries(expected)) {
    const got = Number(await count(sql));
    if (got !== want) throw new Error(`expected ${want} ${what}, found ${got}`);
  }
}
