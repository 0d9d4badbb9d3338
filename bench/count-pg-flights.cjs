// Preload (node --require) that counts what a PostgreSQL round trip costs each side, per process:
// the socket reads of pg's connections (each a wake-up to parse whatever arrived: answers that
// arrive together are one read) and their socket writes (pg corks a statement's messages into one;
// statements sent together may still be one write each). With pipelined statements (pg's
// `pipeline` mode) a round trip is no longer one statement, so count-pg-queries.cjs's tally of
// statements says less about the waits than these do. At exit, the tallies go as JSON to
// $PAVED_COUNT_PG_FLIGHTS_DIR/<role>-<pid>.json (role: the bench's --role, else "main").
// $PAVED_COUNT_PG_ROOT names the checkout whose store's `pg` to hook (this one's or a baseline's).
'use strict';
const Module = require('node:module');
const { join } = require('node:path');
const { writeFileSync } = require('node:fs');

const root = process.env.PAVED_COUNT_PG_ROOT ?? process.cwd();
const pgDir = join(Module.createRequire(join(root, 'packages/store/package.json')).resolve('pg'), '..');
const Connection = require(join(pgDir, 'connection.js'));
const tally = { reads: 0, writes: 0, bytesRead: 0 };
const attach = Connection.prototype.attachListeners;
Connection.prototype.attachListeners = function countedListeners(stream) {
  stream.on('data', (chunk) => { tally.reads++; tally.bytesRead += chunk.length; });
  const write = stream.write;
  stream.write = function countedWrite(...args) {
    // A corked write is buffered and goes out with the uncork: counted there instead.
    if (!stream.writableCorked) tally.writes++;
    return write.apply(stream, args);
  };
  const uncork = stream.uncork;
  stream.uncork = function countedUncork() {
    if (stream.writableCorked === 1 && stream.writableLength > 0) tally.writes++;
    return uncork.call(stream);
  };
  return attach.call(this, stream);
};
const dir = process.env.PAVED_COUNT_PG_FLIGHTS_DIR;
const at = process.argv.indexOf('--role');
const role = at >= 0 ? process.argv[at + 1] : 'main';
process.on('exit', () => { if (dir) writeFileSync(join(dir, `${role}-${process.pid}.json`), JSON.stringify(tally)); });
