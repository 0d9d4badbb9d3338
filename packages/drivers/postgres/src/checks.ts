import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { pgLib } from './pg.js';
import { DriverError } from '@paved/model';
import { awaitGoodbye, errorLine, withCheckConnection, type CheckSession, type ContractCheck, type Target } from '@paved/driver-api';
import { HIDDEN_CATALOGS } from './catalogs.js';
import { quoteLiteral } from './quote.js';
import { readTargetConfig } from './target-config.js';

type Outputs = Record<string, string>;

/** A failed check: one line saying what did not hold, never a secret. */
function failed(check: string, message: string, cause?: unknown): DriverError {
  return new DriverError(`postgres check ${check}: ${message}`, { code: 'check_failed', retryable: true, ...(cause === undefined ? {} : { cause }) });
}

/**
 * Runs `work` in a session with the issued credentials (the check run's shared one when there
 * is one). What goes wrong in it fails the check, in one line naming the login.
 */
async function asTenant<T>(check: string, outputs: Outputs, signal: AbortSignal, session: CheckSession | undefined, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const connection = {
    key: `postgres:${outputs.username}@${outputs.database}`,
    open: () => openTenant(check, outputs, signal),
    // Resolves once the server has let the backend go: pg's end() sends Terminate and waits for
    // the socket to close, which the backend does last as it exits, after leaving the role's
    // connection count and pg_stat_activity (1–5 ms). The engine waits for that only where the
    // login's limit leaves no room beside it (Driver.connectionLimit); elsewhere the close runs
    // in the background, and deletion ends a session still closing.
    close: (client: pg.Client) => awaitGoodbye(client.end(), () => client.connection.stream.destroy()),
  };
  try {
    return await withCheckConnection(session, signal, connection, (client) => inTurn(client, () => work(client)));
  } catch (error) {
    if (error instanceof DriverError) throw error;
    throw failed(check, `login "${outputs.username}" in database "${outputs.database}": ${errorLine(error, [outputs.password ?? ''])}`, error);
  }
}

/** Per tenant client, the end of the last check's work on it: the next one starts after it. */
const lastTurn = new WeakMap<pg.Client, Promise<unknown>>();

/**
 * Runs `work` once the work started before it on `client` has settled, so that checks started
 * together (`checksTogether`) send one query at a time, in the order they were started, each as
 * soon as the one before it ended (in the same turn of the loop that read its answer), and none
 * sees another's open transaction. pg would queue them itself, but a query asked for while
 * another runs is deprecated (pg 8.23 warns; pg 9 drops it: bench/README.md §1, round 13).
 */
function inTurn<T>(client: pg.Client, work: () => Promise<T>): Promise<T> {
  const turn = (lastTurn.get(client) ?? Promise.resolve()).then(work);
  lastTurn.set(client, turn.catch(() => undefined));
  return turn;
}

async function openTenant(check: string, outputs: Outputs, signal: AbortSignal): Promise<pg.Client> {
  const { host, port, database, username, password } = outputs;
  if (!host || !port || !database || !username || !password) {
    throw new DriverError(`postgres check ${check}: needs host, port, database, username and password outputs`, {
      code: 'outputs_missing',
      retryable: false,
      issues: [{ path: 'outputs', message: 'host, port, database, username and password are required' }],
    });
  }
  signal.throwIfAborted();
  const client = new (pgLib().Client)({ host, port: Number(port), database, user: username, password, connectionTimeoutMillis: 10_000 });
  // A terminated session emits 'error'; without a listener it would crash the process.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    throw failed(check, `login "${username}" cannot connect to database "${database}" on ${host}:${port}: ${errorLine(error, [password])}`, error);
  }
  return client;
}

/** The login reaches the issued database. */
async function connect(outputs: Outputs, signal: AbortSignal, session?: CheckSession): Promise<void> {
  await asTenant('connect', outputs, signal, session, async (client) => {
    const { rows } = await client.query<{ db: string }>('SELECT current_database() AS db');
    if (rows[0]?.db !== outputs.database) throw failed('connect', `session is in database "${String(rows[0]?.db)}", not "${outputs.database}"`);
  });
}

/**
 * Creates a table, writes and reads back a row, all in a transaction that is rolled back, in
 * one round trip: the simple query protocol runs the statements in order and stops at the first
 * that fails, which leaves the transaction open and failed, so it is rolled back on its own then.
 */
async function writeRead(outputs: Outputs, signal: AbortSignal, session?: CheckSession): Promise<void> {
  await asTenant('write-read', outputs, signal, session, async (client) => {
    const probe = randomBytes(8).toString('hex');
    let results: pg.QueryResult<{ probe: string }>[];
    try {
      // Several statements take no bind parameters: the probe is spliced as a literal (hex only).
      const statements = ['BEGIN', 'CREATE TABLE paved_check (probe text NOT NULL)', `INSERT INTO paved_check (probe) VALUES (${quoteLiteral(probe)})`, 'SELECT probe FROM paved_check', 'ROLLBACK'];
      results = (await client.query(statements.join('; '))) as unknown as pg.QueryResult<{ probe: string }>[];
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    }
    const rows = results[3]?.rows ?? [];
    if (rows.length !== 1 || rows[0]?.probe !== probe) throw failed('write-read', `read back something else than was written in database "${outputs.database}"`);
  });
}

// One query as the tenant: which other databases (still open to connections) it may connect
// to: every one when the target closes the server's own ($1), else other Paved ones; whether
// the login or the role its sessions run as holds a power that reaches past its own database;
// and which of the catalogs the driver hides it can still read, when the target's admin ($2)
// is a superuser and so hid them. has_database_privilege counts inherited and PUBLIC grants.
export const ISOLATION_SQL = `
SELECT ARRAY(SELECT datname::text FROM pg_database
              WHERE ($1::boolean OR datname LIKE 'pv\\_%') AND datname <> current_database() AND datallowconn
                AND has_database_privilege(datname, 'CONNECT') ORDER BY 1) AS others,
       ARRAY(SELECT rolname || ' is ' || power FROM pg_roles,
                    LATERAL (VALUES ('superuser', rolsuper), ('createrole', rolcreaterole), ('createdb', rolcreatedb)) p(power, held)
              WHERE rolname IN (session_user, current_user) AND held ORDER BY 1) AS powers,
       ARRAY(SELECT c FROM unnest($3::text[]) c
              WHERE (SELECT rolsuper FROM pg_roles WHERE rolname = $2) AND has_table_privilege(c, 'SELECT') ORDER BY 1) AS catalogs`;

/**
 * The login can reach no database but its own (no other tenant's; with closeServerDatabases,
 * not `postgres` or `template1` either), holds no server-wide power, and cannot read the
 * catalogs the driver hides (when the target's admin is a superuser, which hides them).
 */
async function isolation(target: Target, outputs: Outputs, signal: AbortSignal, session?: CheckSession): Promise<void> {
  const config = readTargetConfig(target);
  await asTenant('isolation', outputs, signal, session, async (client) => {
    const { rows } = await client.query<{ others: string[]; powers: string[]; catalogs: string[] }>(ISOLATION_SQL, [config.closeServerDatabases, config.admin.user, [...HIDDEN_CATALOGS]]);
    const { others = [], powers = [], catalogs = [] } = rows[0] ?? {};
    const problems: string[] = [];
    if (others.length > 0) problems.push(`may connect to other databases: ${others.slice(0, 5).join(', ')}${others.length > 5 ? ` and ${others.length - 5} more` : ''}`);
    if (powers.length > 0) problems.push(`holds server-wide powers: ${powers.join(', ')}`);
    if (catalogs.length > 0) problems.push(`may read ${catalogs.join(', ')}`);
    if (problems.length > 0) throw failed('isolation', `login "${outputs.username}" ${problems.join('; ')}`);
  });
}

/** The contract checks this driver offers, for a product's `spec.checks`. */
export const postgresChecks: readonly ContractCheck[] = Object.freeze([
  { name: 'connect', description: 'the issued login connects to the issued database', run: ({ outputs, signal, session }) => connect(outputs, signal, session) },
  { name: 'write-read', description: 'the login creates a table, writes and reads a row (rolled back)', run: ({ outputs, signal, session }) => writeRead(outputs, signal, session) },
  {
    name: 'isolation',
    description: "the login may connect to no other database (the server's own included, unless the target leaves them open), holds no superuser, createrole or createdb power, and cannot read the catalogs the driver hides",
    run: ({ target, outputs, signal, session }) => isolation(target, outputs, signal, session),
  },
]);
