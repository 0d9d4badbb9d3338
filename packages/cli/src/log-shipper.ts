import type { ChildProcess } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import type { ShippedLogLine } from '@paved/model';
import type { OutStream } from './io.js';
import { NO_SECRETS, type SecretMask } from './secret-mask.js';

/** Where shipped lines go and where the child's output is shown. */
export interface LogShipTarget {
  /** Sends one batch (oldest first); rejects when it could not. */
  send(lines: ShippedLogLine[]): Promise<unknown>;
  /** Where the child's stdout and stderr are passed through, unchanged. */
  stdout: OutStream;
  stderr: OutStream;
  /** One-line notices about shipping (never the child's output). */
  warn(message: string): void;
  /** The secrets revealed for the run: masked in every line sent (the terminal shows the output as written). */
  secrets?: SecretMask;
}

export interface ShipOptions {
  /** Batches leave at least this often. Default 200 ms. */
  flushMs?: number;
  /** …or as soon as this many lines wait. Default 500. */
  batchLines?: number;
  /** Lines kept while the server is slow or away; past it the oldest are dropped. Default 10 000. */
  maxBufferedLines?: number;
  /** How long the final flush after exit may take before unsent lines are given up. Default 5 s. */
  finalFlushMs?: number;
  now?: () => number;
}

export interface Shipping {
  /** Resolves once the child's output has ended and every line was sent or given up. Never rejects. */
  done: Promise<void>;
}

// The server cuts lines at 16 KiB and takes bodies up to 1 MiB: cut here too, and keep a
// batch's text well under the body limit whatever the lines' lengths.
const LINE_MAX_BYTES = 16 * 1024;
const BATCH_MAX_BYTES = 512 * 1024;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits for `promise` at most `ms` (and no longer than it takes: the timer is cleared). */
async function within(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

function cut(line: string): string {
  if (Buffer.byteLength(line, 'utf8') <= LINE_MAX_BYTES) return line;
  return Buffer.from(line, 'utf8').subarray(0, LINE_MAX_BYTES).toString('utf8').replace(/\uFFFD+$/, '');
}

/**
 * Passes a child's stdout and stderr (spawned with both piped) through to the terminal as they
 * come, and ships them line by line (secrets masked) to a log stream in batches. Shipping never
 * blocks or fails the child: output is always read at once, lines wait in a bounded buffer (the
 * oldest dropped, with one warning, when the server is slow or away), and one batch is in flight
 * at a time so lines arrive in order. Used by `paved run` in both its forms (--service and -f score.yaml).
 */
export function shipChildOutput(child: ChildProcess, target: LogShipTarget, options: ShipOptions = {}): Shipping {
  const flushMs = options.flushMs ?? 200;
  const batchLines = options.batchLines ?? 500;
  const maxBuffered = options.maxBufferedLines ?? 10_000;
  const now = options.now ?? Date.now;
  const secrets = target.secrets ?? NO_SECRETS;
  const queue: ShippedLogLine[] = [];
  let dropped = 0;
  let failing = false;
  let sending: Promise<void> | undefined;

  const enqueue = (stream: ShippedLogLine['stream'], line: string) => {
    // Masked whole, then cut: a secret is never split by the 16 KiB cut.
    const text = (line.endsWith('\r') ? line.slice(0, -1) : line).replaceAll('\u0000', '\uFFFD'); // the server refuses NUL characters
    queue.push({ at: new Date(now()).toISOString(), stream, line: cut(secrets.mask(text)) });
    if (queue.length > maxBuffered) {
      const excess = queue.length - maxBuffered;
      queue.splice(0, excess);
      if (dropped === 0) target.warn(`paved: log shipping is behind; dropping the oldest unsent lines (the command keeps running)`);
      dropped += excess;
    }
    if (queue.length >= batchLines) flush();
  };

  const nextBatch = (): ShippedLogLine[] => {
    let bytes = 0;
    let count = 0;
    while (count < Math.min(queue.length, batchLines)) {
      bytes += Buffer.byteLength(queue[count]!.line, 'utf8') + 64;
      if (count > 0 && bytes > BATCH_MAX_BYTES) break;
      count++;
    }
    return queue.slice(0, count);
  };

  /** Sends what waits, one batch at a time; a failed batch stays queued for the next try. */
  const flush = (): Promise<void> => {
    if (sending) return sending;
    sending = (async () => {
      while (queue.length > 0) {
        const batch = nextBatch();
        try {
          await target.send(batch);
        } catch (error) {
          if (!failing) target.warn(`paved: could not ship logs (${(error as Error).message}); will retry, the command keeps running`);
          failing = true;
          return;
        }
        failing = false;
        // Drop what was sent; the buffer may have dropped from its head meanwhile, so never more than is there.
        queue.splice(0, Math.min(batch.length, queue.length));
      }
    })().finally(() => (sending = undefined));
    return sending;
  };

  const pipe = (source: NodeJS.ReadableStream | null, stream: ShippedLogLine['stream'], out: OutStream): Promise<void> => {
    if (!source) return Promise.resolve();
    const decoder = new StringDecoder('utf8');
    let partial = '';
    const take = (text: string) => {
      const parts = (partial + text).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) enqueue(stream, line);
      // A very long line without a newline is shipped in pieces rather than held without bound,
      // each ending before anything that may be the start of a secret still arriving.
      while (Buffer.byteLength(partial, 'utf8') > LINE_MAX_BYTES) {
        const piece = cut(partial);
        const safe = secrets.safeCut(piece);
        const length = safe > 0 ? safe : piece.length;
        enqueue(stream, piece.slice(0, length));
        partial = partial.slice(length);
      }
    };
    return new Promise((resolve) => {
      source.on('data', (chunk: Buffer) => {
        // The bytes as they came (not re-encoded), so the terminal sees exactly what the command wrote.
        out.write(chunk as unknown as string);
        take(decoder.write(chunk));
      });
      source.on('error', () => resolve());
      source.on('end', () => {
        take(decoder.end());
        if (partial !== '') enqueue(stream, partial);
        partial = '';
        resolve();
      });
    });
  };

  const timer = setInterval(() => void flush(), flushMs);
  const done = (async () => {
    await Promise.all([pipe(child.stdout, 'stdout', target.stdout), pipe(child.stderr, 'stderr', target.stderr)]);
    clearInterval(timer);
    const deadline = now() + (options.finalFlushMs ?? 5000);
    while (queue.length > 0 && now() < deadline) {
      // A server that never answers must not keep the CLI from exiting with the child's code.
      await within(flush(), Math.max(0, deadline - now()));
      if (queue.length > 0) await sleep(Math.min(flushMs, Math.max(0, deadline - now())));
    }
    if (queue.length > 0) target.warn(`paved: gave up shipping ${queue.length} log lines: the server did not take them`);
    if (dropped > 0) target.warn(`paved: ${dropped} log lines were dropped while shipping was behind`);
  })();
  return { done };
}
