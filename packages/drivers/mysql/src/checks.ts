import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type mysql from 'mysql2/promise';
import { mysql2 } from './mysql2.js';
import type { RowDataPacket } from 'mysql2/promise';
import type { Connection as CoreConnection } from 'mysql2';
import { DriverError } from '@paved/model';
import { awaitGoodbye, errorLine, withCheckConnection, type CheckSession, type ContractCheck } from '@paved/driver-api';
import { hasWildcard, quoteIdent } from './quote.js';
import { isMysqlErrno } from './mysql-errors.js';
import { tenantAuthPlugins } from './client-auth.js';
import { readTargetConfig, type MysqlTargetConfig } from './target-config.js';

type Outputs = Record<string, string>;

/** A failed check: one line saying what did not hold, never a secret. */
function failed(check: string, message: string, cause?: unknown): DriverError {
  return new DriverError(`mysql check ${check}: ${message}`, { code: 'check_failed', retryable: true, cause });
}

/**
 * Runs `work` in a session with the issued credentials (the check run's shared one when there
 * is one). What goes wrong in it fails the check, in one line naming the login.
 */
async function asTenant<T>(check: string, outputs: Outputs, signal: AbortSignal | undefined, shared: CheckSession | undefined, work: (session: mysql.Connection) => Promise<T>): Promise<T> {
  const connection = {
    key: `mysql:${outputs.username}@${outputs.database}`,
    open: () => openTenant(check, outputs, signal),
    close: (session: mysql.Connection) => endTenant(session),
    abort: (session: mysql.Connection) => session.destroy(),
  };
  try {
    return await withCheckConnection(shared, signal, connection, work);
  } catch (error) {
    if (error instanceof DriverError) throw error;
    throw failed(check, `login "${outputs.username}" in database "${outputs.database}": ${errorLine(error, [outputs.password ?? ''])}`, error);
  }
}

/**
 * Ends a tenant session and resolves once the server has let it go. mysql2's end() resolves as
 * it queues COM_QUIT, before it is even written, and the server does not answer one: it
 * releases the login's count against MAX_USER_CONNECTIONS (end_connection) and then closes the
 * socket. So the socket's close is what says the slot is free. The engine waits for that only
 * where the login's limit leaves no room beside it (Driver.connectionLimit).
 */
async function endTenant(session: mysql.Connection): Promise<void> {
  const socket = coreOf(session).stream;
  const gone = socket.closed ? Promise.resolve() : new Promise((resolve) => socket.once('close', resolve));
  await session.end().catch(() => session.destroy());
  await awaitGoodbye(gone, () => session.destroy());
}

/** The callback connection under mysql2's promise wrapper (its socket, which its types leave out; its query events). */
function coreOf(session: mysql.Connection): CoreConnection & { stream: Duplex } {
  return (session as unknown as { connection: CoreConnection & { stream: Duplex } }).connection;
}

/**
 * A check session lives for one create's checks, which prepare no statement and read a few rows:
 * what mysql2 sets up for a long-lived connection costs the server's loop on every create
 * (bench/README.md §1, round 16). `maxPreparedStatements` sizes a statement cache that mysql2
 * allocates whole when it connects (four arrays of 16,000 slots by default: ≈ 0.5 MB a
 * connection, ≈ 1 ms of CPU with the garbage collections it brings); `disableEval` reads rows
 * without compiling a parser per column list, where `SHOW GRANTS FOR` and `SHOW CREATE USER`
 * name their column after the login, so each create compiled two parsers (≈ 0.15 ms each) and
 * kept them in mysql2's process-wide cache (≈ 3 KB each, up to 15,000).
 */
export const CHECK_SESSION_OPTIONS = Object.freeze({ maxPreparedStatements: 1, disableEval: true });

/** Logs in with the issued credentials; the caller ends the session. */
async function openTenant(check: string, outputs: Outputs, signal: AbortSignal | undefined): Promise<mysql.Connection> {
  const { host, port, database, username, password } = outputs;
  if (!host || !port || !database || !username || !password) {
    throw new DriverError(`mysql check ${check}: needs host, port, database, username and password outputs`, {
      code: 'outputs_missing',
      retryable: false,
      issues: [{ path: 'outputs', message: 'host, port, database, username and password are required' }],
    });
  }
  signal?.throwIfAborted();
  let session: mysql.Connection;
  try {
    // Several statements a round trip (multipleStatements): a check's statements are all its
    // own text, nothing the tenant wrote, and each round trip waits on a loaded machine.
    session = await mysql2().createConnection({
      host, port: Number(port), user: username, password, database, connectTimeout: 10_000, authPlugins: tenantAuthPlugins(), multipleStatements: true,
      ...CHECK_SESSION_OPTIONS,
    });
  } catch (error) {
    throw failed(check, `login "${username}" cannot connect to database "${database}" on ${host}:${port}: ${errorLine(error, [password])}`, error);
  }
  // A killed session emits 'error'; without a listener it would crash the process.
  session.on('error', () => {});
  return session;
}

/** Connects and confirms the session landed in the issued database as the issued login. */
export async function checkConnect(outputs: Outputs, signal?: AbortSignal, shared?: CheckSession): Promise<void> {
  await asTenant('connect', outputs, signal, shared, async (session) => {
    const [rows] = await session.query<RowDataPacket[]>('SELECT DATABASE() AS db');
    if (rows[0]?.db !== outputs.database) throw failed('connect', `session is in database "${String(rows[0]?.db)}", not "${outputs.database}"`);
  });
}

/**
 * The write-read probe's engine. A MEMORY table is created, written, read and dropped under the
 * same privileges as any other (CREATE, INSERT, SELECT and DROP on the login's database, its
 * definition a file in that database's directory), without InnoDB's tablespace file and the
 * redo log's flushes at CREATE and DROP: the round trip took 2.0 ms instead of 3.2–3.4 on a quiet
 * machine, and InnoDB's moved by several ms under load (bench/README.md §1, round 9).
 */
const PROBE_ENGINE = 'ENGINE=MEMORY';

/**
 * Whether a failed MEMORY probe is worth running again on the server's default engine: yes
 * unless the login was refused (the default engine meets the same refusal) or the session is
 * gone. Servers may refuse MEMORY tables in ways of their own: `enforce_storage_engine` with
 * NO_ENGINE_SUBSTITUTION (1290), an engine left out (1286), a Galera cluster's strict replication.
 */
function worthRetrying(error: unknown): boolean {
  return !isMysqlErrno(error, 1142) && !isMysqlErrno(error, 1044) && (error as { fatal?: boolean } | null)?.fatal !== true;
}

/**
 * Creates a table, writes a row, reads it back and drops the table, in one round trip (DDL
 * commits, so no rollback). A statement that fails stops the rest, so the table is dropped
 * again on its own then.
 */
export async function checkWriteRead(outputs: Outputs, signal?: AbortSignal, shared?: CheckSession): Promise<void> {
  await asTenant('write-read', outputs, signal, shared, async (session) => {
    const table = quoteIdent(`paved_check_${randomBytes(4).toString('hex')}`);
    const probe = randomBytes(8).toString('hex');
    const statements = (engine: string) =>
      `CREATE TABLE ${table} (probe VARCHAR(32) NOT NULL)${engine}; INSERT INTO ${table} (probe) VALUES (?); SELECT probe FROM ${table}; DROP TABLE ${table}`;
    let results: RowDataPacket[][];
    try {
      try {
        [results] = await session.query<RowDataPacket[][]>(statements(` ${PROBE_ENGINE}`), [probe]);
      } catch (error) {
        if (!worthRetrying(error)) throw error;
        // On the default engine, after the MEMORY table if it was made; a failure now is the check's.
        [results] = await session.query<RowDataPacket[][]>(`DROP TABLE IF EXISTS ${table}; ${statements('')}`, [probe]);
      }
    } catch (error) {
      await session.query(`DROP TABLE IF EXISTS ${table}`).catch(() => {});
      throw error;
    }
    // The SELECT's rows: second to last, before the DROP's answer.
    const rows = results.at(-2) ?? [];
    if (rows.length !== 1 || rows[0]?.probe !== probe) throw failed('write-read', `read back something else than was written in database "${outputs.database}"`);
  });
}

/**
 * Sends `statements` in one round trip and returns the rows of each one that ran, and the error
 * of the one that failed (the server stops there). mysql2's promise API drops the earlier
 * results when a statement fails; its event API hands each row over as it comes. A result set
 * is counted by its column definitions, so an empty one still counts. A lost connection ends a
 * query without a callback silently (mysql2 tells only the connection), so that ends it too.
 */
function queryEach(session: mysql.Connection, statements: readonly string[]): Promise<{ results: RowDataPacket[][]; error?: unknown }> {
  // The promise wrapper keeps the callback connection whose query() emits the events.
  const core = coreOf(session);
  return new Promise((resolve) => {
    const results: RowDataPacket[][] = [];
    let error: unknown;
    const lost = (failure: unknown) => end(failure);
    const end = (failure = error) => {
      core.removeListener('error', lost);
      resolve({ results, ...(failure === undefined ? {} : { error: failure }) });
    };
    core.once('error', lost);
    core
      .query(statements.join('; '))
      .on('fields', () => results.push([]))
      .on('result', (row) => results.at(-1)?.push(row as RowDataPacket))
      .on('error', (failure) => (error = failure))
      .on('end', () => end());
  });
}

/**
 * The login reaches its own database and nothing else: it sees no other database, holds no
 * grant on a wildcard pattern (`pv_x` also matches `pvXx`), and is refused the `mysql` schema.
 * With the target's config, also that the account the server let it in through is one of the
 * host patterns the target lists (never `%` unless listed), with ed25519 where the server has it.
 */
export async function checkIsolation(outputs: Outputs, signal?: AbortSignal, shared?: CheckSession, config?: MysqlTargetConfig): Promise<void> {
  const login = outputs.username ?? '';
  await asTenant('isolation', outputs, signal, shared, async (session) => {
    // Every read in one round trip, the account's (when there is a config) first, and last the
    // read of the mysql schema that must be refused.
    const account = config === undefined ? [] : accountReads(config);
    const reads = [...account, 'SHOW DATABASES', 'SHOW GRANTS FOR CURRENT_USER()'];
    const { results, error } = await queryEach(session, [...reads, 'SELECT COUNT(*) FROM mysql.user']);
    // An earlier read that failed stopped the round trip there: that is its error, not the refusal.
    if (results.length < reads.length) throw error ?? failed('isolation', 'the server answered fewer reads than were sent');
    if (config !== undefined) checkAccount(results.slice(0, account.length), login, config);
    const [databases = [], grants = []] = results.slice(account.length, reads.length);
    const others = databases.map((row) => String(Object.values(row)[0])).filter((name) => name !== outputs.database && name !== 'information_schema');
    if (others.length > 0) throw failed('isolation', `login "${login}" can see database "${others[0]}" besides its own`);
    for (const row of grants) {
      const grant = String(Object.values(row)[0]);
      const on = /\bON\s+`((?:[^`]|``)*)`\.\*/i.exec(grant);
      if (on?.[1] !== undefined && hasWildcard(on[1].replace(/``/g, '`'))) {
        throw failed('isolation', `login "${login}" holds a grant on wildcard pattern "${on[1]}", which matches other databases`);
      }
      if (/\bON\s+\*\.\*/i.test(grant) && !/^GRANT USAGE ON/i.test(grant)) throw failed('isolation', `login "${login}" holds global privileges`);
    }
    if (error !== undefined) {
      if (isMysqlErrno(error, 1142) || isMysqlErrno(error, 1044)) return; // refused, as it must be
      throw error;
    }
    throw failed('isolation', `login "${login}" can read the mysql system schema`);
  });
}

/** What checkAccount reads: the account the session logged in through and, where ed25519 is wanted, whether the server has it and how the account authenticates. */
function accountReads(config: MysqlTargetConfig): string[] {
  const account = 'SELECT CURRENT_USER() AS account';
  if (config.authPlugin !== 'ed25519') return [account];
  return [account, "SELECT PLUGIN_STATUS AS status FROM information_schema.PLUGINS WHERE PLUGIN_NAME = 'ed25519'", 'SHOW CREATE USER CURRENT_USER()'];
}

/** The account this session logged in through: a listed host pattern, and the plugin wanted. */
function checkAccount(results: RowDataPacket[][], login: string, config: MysqlTargetConfig): void {
  const [who, plugin, created] = results.map((rows) => rows[0]);
  const account = String(who?.account ?? '');
  const host = account.slice(account.lastIndexOf('@') + 1);
  if (!config.clientHosts.includes(host)) throw failed('isolation', `login "${login}" got in through account "${account}", whose host is not in the target's clientHosts`);
  if (config.authPlugin !== 'ed25519') return;
  if (plugin?.status !== 'ACTIVE') return; // the fallback preflight warns about
  if (!/\bIDENTIFIED VIA ed25519\b/i.test(String(Object.values(created ?? {})[0] ?? ''))) {
    throw failed('isolation', `login "${login}" authenticates with a weaker plugin than ed25519, which the server has`);
  }
}

export const contractChecks: readonly ContractCheck[] = Object.freeze([
  { name: 'connect', description: 'Connects with the issued login to the issued database.', run: ({ outputs, signal, session }) => checkConnect(outputs, signal, session) },
  {
    name: 'write-read',
    description: 'Creates a table, writes a row and reads it back, then drops the table (a MEMORY table where the server allows it).',
    run: ({ outputs, signal, session }) => checkWriteRead(outputs, signal, session),
  },
  {
    name: 'isolation',
    description: "The login sees no other database, holds no wildcard or global grant, cannot read the mysql schema, and got in through a listed host with ed25519 where the server has it.",
    run: ({ target, outputs, signal, session }) => checkIsolation(outputs, signal, session, readTargetConfig(target)),
  },
]);
