// A mysql create, phase by phase, from bench/path-timeline.cjs's marks (socket writes, data,
// connects on 3306): the server's (the creates answered with their status stream) or the direct
// path's (bench/direct-ops.mjs's, from the bench process's own marks), so the two can be set side
// by side. Medians, ms: from the GRANT's answer on, the same statements on the same wire.
// Preload the timeline into both processes, each writing its own file (no PAVED_TIMELINE_OUT):
//   NODE_OPTIONS="--require $PWD/bench/path-timeline.cjs" node bench/time-to-ready.mjs --product mysql --runs 80
//   node bench/path-timeline-mysql.mjs /tmp/paved-timeline-PID.json   (once for each file written)
import { readFileSync } from 'node:fs';
import { createWindows, intentSplit, phaseTable } from './path-timeline-windows.mjs';

const { marks } = JSON.parse(readFileSync(process.argv[2], 'utf8'));
marks.sort((a, b) => a[1] - b[1]);
const isWrite = (text) => (m) => m[0] === 'write' && m[3].startsWith('mysql') && m[3].includes(text);
const isData = (text = '') => (m) => m[0] === 'data' && m[3].startsWith('mysql') && m[3].includes(text);
const isQuit = (m) => m[0] === 'write' && m[3].startsWith('mysql 5 '); // COM_QUIT: a 5-byte packet

/** The windows: each server create (request → credentials written), else each direct create (its CREATE DATABASE → its COM_QUIT). */
function windows() {
  const found = createWindows(marks).map(([i, end]) => marks.slice(i, end + 1));
  if (found.length > 0) return { who: 'server', found };
  for (let i = 0; i < marks.length; i++) {
    if (!isWrite('CREATE DATABASE `bench_direct')(marks[i])) continue;
    const end = marks.findIndex((m, j) => j > i && isQuit(m));
    // The same operations as the driver's (ed25519); the minimal variant's creates are left out.
    if (end > 0 && marks.slice(i, end).some(isWrite('IDENTIFIED VIA ed25519'))) found.push(marks.slice(i, end + 1));
  }
  return { who: 'direct path', found };
}

const { who, found } = windows();
const phases = phaseTable();
for (const w of found) {
  const at = (pred, from = 0) => w.findIndex((m, j) => j >= from && pred(m));
  const first = at((m) => m[0] === 'write' && m[3].startsWith('mysql'));
  const grant = at(isWrite('GRANT ALL'));
  const grantAnswer = at(isData(), grant + 1);
  const connect = at((m) => m[0] === 'connect' && m[3] === 'mysql', grant);
  const greeting = at(isData('MariaDB'), connect);
  const authSwitch = at(isData('client_ed25519'), greeting);
  const loggedIn = at(isData(), authSwitch + 1);
  const select = at(isWrite('SELECT DATABASE()'), loggedIn);
  const writeRead = at(isWrite('CREATE TABLE'), select);
  const isolation = at(isWrite('CURRENT_USER()'), writeRead);
  const quit = at(isQuit, isolation);
  const points = { first, grant, grantAnswer, connect, greeting, authSwitch, loggedIn, select, writeRead, isolation, quit };
  if (Object.values(points).some((k) => k < 0)) continue;
  const span = (name, from, to) => phases.span(w, name, from, to);
  if (who === 'server') span('request → first statement written', 0, first);
  if (who === 'server') intentSplit(phases, w, first, 'first statement written');
  span('first statement → GRANT written', first, grant);
  span('GRANT → its answer', grant, grantAnswer);
  span("GRANT's answer → tenant's TCP connect", grantAnswer, connect);
  span('connect → greeting', connect, greeting);
  span('greeting → auth switch (client_ed25519)', greeting, authSwitch);
  span('auth switch → logged in (the signature)', authSwitch, loggedIn);
  span('logged in → SELECT DATABASE() written', loggedIn, select);
  span('SELECT DATABASE() → write-read written', select, writeRead);
  span('write-read → isolation written', writeRead, isolation);
  span('isolation → COM_QUIT written', isolation, quit);
  span("GRANT's answer → COM_QUIT", grantAnswer, quit);
  if (who === 'server') span('COM_QUIT → credentials written', quit, w.length - 1);
}
phases.print(who, found.length);
