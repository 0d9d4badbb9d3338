// Counts the SQLite statements a Paved process runs, by their SQL text: preload it into the
// server (`node bench/time-to-ready.mjs … --node-args "--require ./bench/count-sqlite-statements.cjs"`,
// run from the checkout whose server is measured, so give this file's absolute path from another
// one) and it writes "count<TAB>sql" lines, most run
// first, to $PAVED_COUNT_SQLITE_OUT (else /tmp/paved-sqlite-<pid>.txt) when the process ends.
// better-sqlite3 runs every statement through a Statement's run/get/all/iterate: one call, one
// statement. A count does not depend on the machine's load (the PostgreSQL store has
// count-pg-queries.cjs). Compare two builds by running the same workload on each, then
// `diff <(sort -t$'\t' -k2 A) <(sort -t$'\t' -k2 B)`.
const { createRequire } = require('node:module');
const { writeFileSync } = require('node:fs');

// The server's own copy of better-sqlite3 (resolved from the checkout it runs in), so that the
// prototype patched here is the one its statements use.
const Database = createRequire(`${process.cwd()}/`)('better-sqlite3');
const probe = new Database(':memory:');
const Statement = Object.getPrototypeOf(probe.prepare('select 1'));
probe.close();

const counts = new Map();
for (const method of ['run', 'get', 'all', 'iterate']) {
  const original = Statement[method];
  Statement[method] = function counted(...args) {
    const sql = this.source.replace(/\s+/g, ' ').slice(0, 200);
    counts.set(sql, (counts.get(sql) ?? 0) + 1);
    return original.apply(this, args);
  };
}

const write = () => {
  const lines = [...counts].sort((a, b) => b[1] - a[1]).map(([sql, n]) => `${n}\t${sql}`);
  writeFileSync(process.env.PAVED_COUNT_SQLITE_OUT ?? `/tmp/paved-sqlite-${process.pid}.txt`, `${lines.join('\n')}\n`);
};
process.on('exit', write);
// Paved stops on these; the listener goes first so that the counts are written whatever follows.
for (const signal of ['SIGTERM', 'SIGINT']) process.prependListener(signal, write);
