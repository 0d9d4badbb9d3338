// Preload (node --require, e.g. NODE_OPTIONS="--require ./bench/count-engine-claims.cjs" node
// bench/engine-throughput.mjs --store postgres …) that counts, in each PostgreSQL engine worker of
// engine-throughput.mjs (--role worker), what its claims and transactions carried: claims (the
// one-statement claim, repos/claim-statement.ts), the limit each asked for (the free slots) and
// the rows each found, the COMMITs and the statements between BEGIN and COMMIT, the next-due
// reads, and a timeline of the worker's CPU (process.cpuUsage, all threads: V8's compiler threads
// too) and wall clock at each claim against the rows claimed so far, so the first passes' cost
// (a fresh process's warm-up) shows beside the steady state. Each worker writes its tally as JSON
// to $PAVED_COUNT_CLAIMS_DIR/<pid>.json at exit (default: the system's temp folder); the worker's
// build is the `--root` it was given. Summarise with `node bench/count-engine-claims.cjs <dir>`.
// It also times the worker's waits (round 23): how much of its run at least one query was out
// (`queryOutShare`) or none (`noneOutShare`: PostgreSQL had nothing of this worker's to do), and
// its event loop's utilisation (`elu`: the share of the run its main thread was running, not
// waiting), both from its first query to its exit. The ceiling's processes (--role
// ceiling-worker) are counted the same way, so the two can be put side by side.
'use strict';
const Module = require('node:module');
const path = require('node:path');
const { writeFileSync, readdirSync, readFileSync, statSync } = require('node:fs');
const { tmpdir } = require('node:os');

const argv = process.argv;
const at = (name) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
const bucket = (n) => (n <= 0 ? '0' : n <= 2 ? '1-2' : n <= 7 ? '3-7' : n <= 15 ? '8-15' : n <= 31 ? '16-31' : n <= 63 ? '32-63' : '64+');

if (require.main === module) {
  // Summary: per worker file (oldest first), claims, rows a claim, commits a pass, and the CPU
  // of its first 1,000 and 2,000 rows claimed against the next 4,000's rate.
  const dir = argv[2] ?? process.env.PAVED_COUNT_CLAIMS_DIR ?? tmpdir();
  const files = readdirSync(dir).filter((f) => /^\d+\.json$/.test(f)).map((f) => path.join(dir, f))
    .sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs);
  for (const file of files) {
    const s = JSON.parse(readFileSync(file, 'utf8'));
    const cpuAt = (rows) => { const t = s.timeline.find(([r]) => r >= rows); return t ? t[1] - s.timeline[0][1] : undefined; };
    const first1k = cpuAt(1000); const first2k = cpuAt(2000); const next4k = cpuAt(6000) === undefined ? undefined : cpuAt(6000) - first2k;
    console.log(JSON.stringify({ file: path.basename(file), root: s.root, role: s.role ?? 'worker', waits: s.waits, claims: s.claims, rows: s.claimRows, rowsAClaim: Math.round(s.claimRows / s.claims), short: s.short,
      commits: s.commits, commitsAPass: Math.round((s.commits / s.claimRows) * 1000) / 1000, statementsACommit: Math.round((s.trxStatements / s.commits) * 100) / 100, nextDue: s.nextDue,
      limits: s.limits, cpuMsFirst1000: first1k, cpuMsFirst2000: first2k, cpuMsA1000Next4000: next4k === undefined ? undefined : Math.round(next4k / 4) }));
  }
} else if (at('--role') === 'worker' || at('--role') === 'ceiling-worker') {
  const { performance } = require('node:perf_hooks');
  const root = path.resolve(at('--root') ?? process.cwd());
  const pg = Module.createRequire(path.join(root, 'packages/store/package.json'))('pg');
  const s = { root, role: at('--role'), claims: 0, claimRows: 0, short: 0, limits: {}, rows: {}, commits: 0, trxStatements: 0, nextDue: 0, other: 0, timeline: [] };
  // Waits: queries out at once, the time since the first query, and the time with none out.
  const w = { out: 0, first: 0, changed: 0, noneOut: 0, elu: undefined };
  const outBy = (delta) => {
    const now = performance.now();
    if (w.first === 0) { w.first = now; w.elu = performance.eventLoopUtilization(); }
    else if (w.out === 0) w.noneOut += now - w.changed;
    w.out += delta;
    w.changed = now;
  };
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function timedQuery(config, values, callback) {
    const result = countedQuery.call(this, config, values, callback);
    if (result && typeof result.then === 'function') {
      outBy(1);
      result.then(() => outBy(-1), () => outBy(-1));
    }
    return result;
  };
  function countedQuery(config, values, callback) {
    const text = typeof config === 'string' ? config : (config && config.text) || '';
    if (text.startsWith('with "claimed" as (update "instances"')) {
      const limit = Number(((config && config.values) || values || [])[4]);
      const cpu = process.cpuUsage();
      s.timeline.push([s.claimRows, Math.round((cpu.user + cpu.system) / 1000), Date.now()]);
      s.claims++;
      s.limits[bucket(limit)] = (s.limits[bucket(limit)] ?? 0) + 1;
      const result = query.call(this, config, values, callback);
      if (result && typeof result.then === 'function') {
        result.then((res) => {
          const n = res.rowCount ?? res.rows.length;
          s.claimRows += n;
          s.rows[bucket(n)] = (s.rows[bucket(n)] ?? 0) + 1;
          if (n < limit) s.short++;
        }, () => {});
      }
      return result;
    }
    if (/^\s*begin\b/i.test(text)) this.countedInTransaction = true;
    else if (/^\s*commit\b/i.test(text)) { s.commits++; this.countedInTransaction = false; }
    else if (/^\s*rollback\b/i.test(text)) this.countedInTransaction = false;
    else if (this.countedInTransaction) s.trxStatements++;
    else if (/min\("due_at"\)/.test(text)) s.nextDue++;
    else s.other++;
    return query.call(this, config, values, callback);
  }
  process.on('exit', () => {
    const span = performance.now() - w.first;
    const noneOut = w.noneOut + (w.out === 0 ? performance.now() - w.changed : 0);
    s.waits = { spanMs: Math.round(span), elu: Math.round(performance.eventLoopUtilization(w.elu).utilization * 100) / 100,
      queryOutShare: Math.round((1 - noneOut / span) * 100) / 100, noneOutShare: Math.round((noneOut / span) * 100) / 100 };
    writeFileSync(path.join(process.env.PAVED_COUNT_CLAIMS_DIR ?? tmpdir(), `${process.pid}.json`), JSON.stringify(s));
  });
}
