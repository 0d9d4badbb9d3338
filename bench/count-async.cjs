// Preloaded into a server by bench/read-cost.mjs (--count-async): counts the async resources the
// process makes (promises apart), written to $TMPDIR/paved-async-PID.json every 200 ms. Each one
// created while an AsyncLocalStorage is in use pays its hooks, so the count per request is a
// steady measure of that cost where CPU time is not (a shared machine).
const { createHook } = require('node:async_hooks');
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { tmpdir } = require('node:os');

const counts = { promises: 0, others: 0 };
createHook({ init(_id, type) { if (type === 'PROMISE') counts.promises++; else counts.others++; } }).enable();
const file = join(tmpdir(), `paved-async-${process.pid}.json`);
setInterval(() => writeFileSync(file, JSON.stringify(counts)), 200).unref();
