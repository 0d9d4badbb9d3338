// A postgres create, phase by phase, from bench/path-timeline.cjs's marks (socket writes, data,
// connects on 5432): the server's (the creates answered with their status stream) or the direct
// path's (bench/direct-ops.mjs's, from the bench process's own marks), so the two can be set side
// by side. Medians, ms: from CREATE DATABASE's answer on, the same statements on the same wire.
// Preload the timeline into both processes, each writing its own file (no PAVED_TIMELINE_OUT):
//   NODE_OPTIONS="--require $PWD/bench/path-timeline.cjs" node bench/time-to-ready.mjs --product postgres --runs 40
//   node bench/path-timeline-postgres.mjs /tmp/paved-timeline-PID.json   (once for each file written)
import { readFileSync } from 'node:fs';
import { createWindows, intentSplit, phaseTable } from './path-timeline-windows.mjs';

const { marks } = JSON.parse(readFileSync(process.argv[2], 'utf8'));
marks.sort((a, b) => a[1] - b[1]);
const isWrite = (text) => (m) => m[0] === 'write' && m[3].startsWith('pg ') && m[3].includes(text);
const isData = (text = '') => (m) => m[0] === 'data' && m[3].startsWith('pg ') && m[3].includes(text);
const isConnect = (m) => m[0] === 'connect' && m[3] === 'pg';
const isEnd = (m) => m[0] === 'write' && m[3].startsWith('pg 5 X'); // Terminate: a 5-byte message

/** The windows: each server create (request → credentials written), else each direct create (its CREATE DATABASE → its tenant's Terminate). */
function windows() {
  const found = createWindows(marks).map(([i, end]) => marks.slice(i, end + 1));
  if (found.length > 0) return { who: 'server', found };
  for (let i = 0; i < marks.length; i++) {
    // The same operations as the driver's (role beside database); the minimal variant's (OWNER) left out.
    if (!isWrite('CREATE DATABASE "bench_direct')(marks[i]) || marks[i][3].includes('OWNER')) continue;
    const isolation = marks.findIndex((m, j) => j > i && isWrite('SELECT ARRAY(SELECT datname')(m));
    const end = isolation < 0 ? -1 : marks.findIndex((m, j) => j > isolation && isEnd(m));
    if (end > 0) found.push(marks.slice(i, end + 1));
  }
  return { who: 'direct path', found };
}

const { who, found } = windows();
const phases = phaseTable();
for (const w of found) {
  const at = (pred, from = 0) => (from < 0 ? -1 : w.findIndex((m, j) => j >= from && pred(m)));
  const createDatabase = at(isWrite('CREATE DATABASE '));
  const createAnswer = at(isData('CREATE DATABASE'), createDatabase + 1);
  const restrict = at(isWrite('OWNER TO'), createAnswer);
  const restrictAnswer = at(isData('ALTER DATABASE'), restrict + 1);
  const admin = at(isConnect, restrictAnswer);
  const adminIn = at(isData('application_name'), admin);
  const catalogs = at(isWrite('REVOKE SELECT ON pg_catalog'), adminIn);
  const catalogsAnswer = at(isData('REVOKE'), catalogs + 1);
  const tenant = at(isConnect, catalogsAnswer);
  const tenantIn = at(isData('application_name'), tenant);
  const select = at(isWrite('current_database()'), tenantIn);
  const writeRead = at(isWrite('CREATE TABLE paved_check'), select);
  const isolation = at(isWrite('SELECT ARRAY(SELECT datname'), writeRead);
  const isolationAnswer = at(isData('others'), isolation);
  const end = at(isEnd, isolationAnswer);
  const points = { createDatabase, createAnswer, restrict, restrictAnswer, admin, adminIn, catalogs, catalogsAnswer, tenant, tenantIn, select, writeRead, isolation, isolationAnswer, end };
  if (Object.values(points).some((k) => k < 0)) continue;
  const span = (name, from, to) => phases.span(w, name, from, to);
  if (who === 'server') span('request → CREATE DATABASE written', 0, createDatabase);
  if (who === 'server') intentSplit(phases, w, createDatabase, 'CREATE DATABASE written');
  span('CREATE DATABASE → its answer', createDatabase, createAnswer);
  span('its answer → restrict-access written', createAnswer, restrict);
  span('restrict-access → its answer', restrict, restrictAnswer);
  span("its answer → the admin's TCP connect to the new database", restrictAnswer, admin);
  span('connect → logged in (the first backend in the new database)', admin, adminIn);
  span("logged in → the catalogs' REVOKE written", adminIn, catalogs);
  span('REVOKE → its answer', catalogs, catalogsAnswer);
  span("its answer → the tenant's TCP connect", catalogsAnswer, tenant);
  span("tenant's connect → logged in", tenant, tenantIn);
  span('logged in → current_database() written', tenantIn, select);
  span('current_database() → write-read written', select, writeRead);
  span('write-read → isolation written', writeRead, isolation);
  span('isolation → its answer', isolation, isolationAnswer);
  span("its answer → the tenant's Terminate written", isolationAnswer, end);
  span("CREATE DATABASE's answer → the tenant's Terminate", createAnswer, end);
  if (who === 'server') span('Terminate → credentials written', end, w.length - 1);
}
phases.print(who, found.length);
