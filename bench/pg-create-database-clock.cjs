// Each `CREATE DATABASE` a process sends to PostgreSQL, timed at its socket: from the write that
// carries the statement to the data that carries its CommandComplete ("CREATE DATABASE") or an
// error, on that same socket. bench/time-to-ready.mjs --product postgres preloads it into both
// servers (`--require`) and loads it in its own process for the direct path, so that each create's
// time less its own CREATE DATABASE is measured the same way on both paths: CREATE DATABASE varies
// by tens of ms run to run on a shared cluster, ten times the overhead being measured.
// In a server, the times (ms, in send order) are written to $PAVED_PG_CLOCK_OUT when it exits.
// For measurement only: it wraps net.Socket's write and emit, ≈ 1 µs a call.
const net = require('node:net');
const { writeFileSync } = require('node:fs');
const { performance } = require('node:perf_hooks');

const times = [];
const pending = new WeakMap(); // socket → [index in times, sent at]
const write = net.Socket.prototype._writeGeneric;
net.Socket.prototype._writeGeneric = function (writev, data, ...rest) {
  if (this.remotePort === 5432) {
    const chunks = writev ? data.map((d) => d.chunk ?? d) : [data];
    if (chunks.some((chunk) => String(chunk).includes('CREATE DATABASE '))) {
      pending.set(this, [times.length, performance.now()]);
      times.push(undefined);
    }
  }
  return write.call(this, writev, data, ...rest);
};
const emit = net.Socket.prototype.emit;
net.Socket.prototype.emit = function (name, chunk, ...rest) {
  if (name === 'data') {
    const waiting = pending.get(this);
    if (waiting) {
      const text = String(chunk);
      // CommandComplete's tag, or an ErrorResponse ('E' then its length) before ReadyForQuery.
      if (text.includes('CREATE DATABASE\0') || text.includes('Z\0\0\0\x05')) {
        times[waiting[0]] = performance.now() - waiting[1];
        pending.delete(this);
      }
    }
  }
  return emit.call(this, name, chunk, ...rest);
};

globalThis.__pgCreateDatabaseMs = times;
if (process.env.PAVED_PG_CLOCK_OUT) process.on('exit', () => writeFileSync(process.env.PAVED_PG_CLOCK_OUT, JSON.stringify(times)));
