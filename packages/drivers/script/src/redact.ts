import { redactSecrets } from '@paved/driver-api';

/** What replaces a secret in anything we echo back (stderr lines, a bad stdout). */
export const MASK = '***';

/**
 * Secret values shorter than this are not masked: a 1-character env value ('1') would turn
 * every digit of a message into '***'. Engine-generated secrets are 32+ hex characters.
 */
const MIN_SECRET_LENGTH = 6;

/** Replaces every occurrence of every secret of MIN_SECRET_LENGTH or more in `text` with '***'. */
export function redact(text: string, secrets: Iterable<string>): string {
  return redactSecrets(text, [...secrets].filter((s) => s.length >= MIN_SECRET_LENGTH), MASK);
}

export interface TailLimits {
  lines: number;
  bytes: number;
}

export const STDERR_TAIL: TailLimits = { lines: 20, bytes: 4096 };

/**
 * The last lines of a program's stderr for an error message, redacted, as one line
 * ("a | b | c"): the engine shows messages on one line, and the end of stderr is where a
 * failing tool says why. `clipped` means the captured text had lost its beginning, so its first
 * line may be a fragment (maybe of a secret) and is dropped. Redaction runs before any cut so a
 * cut can never expose part of a secret.
 */
export function stderrTail(stderr: string, secrets: Iterable<string>, clipped: boolean, limits: TailLimits = STDERR_TAIL): string {
  let lines = redact(stderr, secrets).split(/\r?\n/);
  if (clipped) lines = lines.slice(1);
  lines = lines.map((line) => line.trim()).filter((line) => line !== '').slice(-limits.lines);
  let text = lines.join(' | ');
  if (Buffer.byteLength(text) > limits.bytes) {
    const bytes = Buffer.from(text);
    text = `…${bytes.subarray(bytes.length - limits.bytes).toString('utf8').replace(/^\uFFFD+/, '')}`;
  }
  return text;
}

/** The start of a program's stdout for an error message: redacted first, then cut. */
export function stdoutHead(stdout: string, secrets: Iterable<string>, chars = 200): string {
  const flat = redact(stdout, secrets).replace(/\s+/g, ' ').trim();
  return flat.length > chars ? `${flat.slice(0, chars)}…` : flat;
}
