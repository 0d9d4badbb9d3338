// A sub-millisecond timeline of a Paved server, for finding where a create → credentials goes:
// preload it into the server (`node bench/time-to-ready.mjs --product redis --runs 150 --node-args
// "--require ./bench/path-timeline.cjs"`, from the checkout whose server is measured; give this
// file's absolute path from another one) and it writes every mark to $PAVED_TIMELINE_OUT (else
// /tmp/paved-timeline-<pid>.json) when the process ends; bench/path-timeline-report.mjs reads it.
// Marks (performance.now() ms, duration ms, label): each HTTP request's arrival, each SQLite
// statement (BEGIN and COMMIT among them) with its duration, each socket write (HTTP and the
// drivers' own, named by port: redis, pg, mysql, amqp, rabbitmq-http) and each socket's data and connect, each crypto.sign
// (the audit records' Ed25519 signatures), each AbortController.abort, each garbage collection.
// For measurement only: a mark costs ≈ 1 µs, and the totals it runs beside are a little slower.
const { createRequire, syncBuiltinESMExports } = require('node:module');
const { writeFileSync } = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const crypto = require('node:crypto');
const { performance, PerformanceObserver } = require('node:perf_hooks');

const marks = [];
const now = () => performance.now();
const mark = (kind, at, ms, label) => marks.push([kind, at, ms, label]);
/** Wraps `owner[method]` so that each call is marked with its duration. */
function timed(owner, method, kind, label) {
  const original = owner[method];
  owner[method] = function (...args) {
    const at = now();
    try {
      return original.apply(this, args);
    } finally {
      mark(kind, at, now() - at, label(this, args));
    }
  };
}

// The server's own better-sqlite3 (resolved from the checkout its main script is in, not the
// working directory: a --baseline server runs another checkout's main.js from this one's): its
// statements' prototype.
const Database = createRequire(process.argv[1] ? require('node:path').resolve(process.argv[1]) : `${process.cwd()}/`)('better-sqlite3');
const probe = new Database(':memory:');
const Statement = Object.getPrototypeOf(probe.prepare('select 1'));
probe.close();
const sqlOf = (statement) => statement.source.replace(/\s+/g, ' ').slice(0, 80);
for (const method of ['run', 'get', 'all']) timed(Statement, method, 'sql', sqlOf);

const PEERS = { 6379: 'redis', 5432: 'pg', 3306: 'mysql', 5672: 'amqp', 15672: 'rabbitmq-http' };
const peer = (socket) => PEERS[socket.remotePort] ?? 'sock';
const text = (data) => String(data).slice(0, 80).replace(/\r/g, '').replace(/\n/g, '|');
timed(net.Socket.prototype, '_writeGeneric', 'write', (socket, [writev, data]) => {
  const bytes = writev ? data.map((d) => String(d.chunk ?? d)).join('') : String(data);
  return `${peer(socket)} ${bytes.length} ${text(bytes)}`;
});
const emit = net.Socket.prototype.emit;
net.Socket.prototype.emit = function (name, ...args) {
  if (name === 'data') mark('data', now(), 0, `${peer(this)} ${args[0].length} ${text(args[0])}`);
  else if (name === 'connect') mark('connect', now(), 0, peer(this));
  return emit.call(this, name, ...args);
};
const serverEmit = http.Server.prototype.emit;
http.Server.prototype.emit = function (name, request, ...rest) {
  if (name === 'request') mark('request', now(), 0, `${request.method} ${request.url}`);
  return serverEmit.call(this, name, request, ...rest);
};
timed(crypto, 'sign', 'sign', () => '');
syncBuiltinESMExports(); // the bundles' `import { sign } from 'node:crypto'` sees the wrapper
timed(AbortController.prototype, 'abort', 'abort', () => '');
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) mark('gc', entry.startTime, entry.duration, String(entry.detail?.kind ?? ''));
}).observe({ entryTypes: ['gc'] });

process.on('exit', () => {
  // `clock` maps performance.now() to the monotonic µs of a --cpu-prof profile taken beside it.
  const clock = [now(), Number(process.hrtime.bigint() / 1000n)];
  writeFileSync(process.env.PAVED_TIMELINE_OUT ?? `/tmp/paved-timeline-${process.pid}.json`, JSON.stringify({ clock, marks }));
});
