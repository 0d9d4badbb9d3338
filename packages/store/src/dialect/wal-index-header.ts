import { closeSync, openSync, readSync, realpathSync } from 'node:fs';

/**
 * The WAL-index header of a SQLite database in WAL mode, watched for commits without a lock.
 *
 * Every commit, by any connection of any process, ends by writing this header in the database's
 * `-shm` file (https://www.sqlite.org/walformat.html §2.1: `iChange` counts the writes, `mxFrame`
 * and the checksums move with the frames, the salts with a restarted WAL), and a connection that
 * starts a read compares it with the one it last saw to learn whether its cache is stale. Reading
 * it with one `pread` (0.6 µs) tells the same without the read transaction `pragma data_version`
 * starts (1.9 µs, two `fcntl` calls for its WAL read lock): the change counter is read on every
 * API request (sqlite.ts, unchanged-reads.ts). A commit that completed before the read has
 * written both copies of the header, so the read sees it; a read that meets a header being
 * written (the two copies differ) or one not yet initialised counts as a change, which only
 * makes the next kept read ask the database again.
 *
 * POSIX drops every lock a process holds on a file when it closes any descriptor of that file,
 * and SQLite holds its shared-memory locks on this one for as long as a connection is open: the
 * descriptor is shared by the watchers of the same file in this process and closed by the last
 * of them, after its own connection has closed (SQLite's own connections to the file share one
 * descriptor the same way).
 */
export interface WalIndexHeader {
  /** A number that moves whenever the header did since the last call: a commit, or a read that could not tell. */
  generation(): number;
  /** Call after closing the watched connection. */
  close(): void;
}

/** WalIndexHdr, 48 bytes, and its copy right after it. */
const HEADER_INTS = 12;
const COPIES_BYTES = HEADER_INTS * 4 * 2;
/** WalIndexHdr.isInit: the header is valid once a connection has set this byte. */
const IS_INIT_BYTE = 12;

const shared = new Map<string, { fd: number; watchers: number }>();

/** Watches the header in `shmPath`; undefined when that file cannot be opened (then ask SQLite). */
export function watchWalIndexHeader(shmPath: string): WalIndexHeader | undefined {
  let key: string;
  let file: { fd: number; watchers: number } | undefined;
  try {
    key = realpathSync(shmPath);
    file = shared.get(key);
    if (file === undefined) {
      file = { fd: openSync(key, 'r'), watchers: 0 };
      shared.set(key, file);
    }
  } catch {
    return undefined;
  }
  file.watchers++;
  const { fd } = file;
  const read = new Int32Array(HEADER_INTS * 2);
  const readBytes = new Uint8Array(read.buffer);
  const last = new Int32Array(HEADER_INTS * 2);
  let generation = 0;
  let closed = false;
  return {
    generation() {
      const whole = readSync(fd, read, 0, COPIES_BYTES, 0) === COPIES_BYTES && readBytes[IS_INIT_BYTE] !== 0;
      let settled = whole;
      for (let i = 0; i < HEADER_INTS && settled; i++) settled = read[i] === read[i + HEADER_INTS];
      if (!settled) {
        // Not to be compared: the next read counts as a change too (no valid header is all zeros).
        last.fill(0);
        return ++generation;
      }
      let moved = false;
      for (let i = 0; i < HEADER_INTS && !moved; i++) moved = read[i] !== last[i];
      if (moved) {
        generation++;
        last.set(read);
      }
      return generation;
    },
    close() {
      if (closed) return;
      closed = true;
      if (--file!.watchers > 0) return;
      shared.delete(key);
      closeSync(fd);
    },
  };
}
