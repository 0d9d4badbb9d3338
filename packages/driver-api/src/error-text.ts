/**
 * Text from elsewhere (a server's error, a client library's message, an automation's reply)
 * made fit for a one-line DriverError. Such texts run over several lines (pg adds DETAIL and
 * HINT, ioredis the failed command) and may echo what was sent, a password among it, while a
 * status message is one line and never holds a secret. Every driver cuts and redacts here.
 */

/** What stands in a message where a secret was. */
export const REDACTED = '[redacted]';

/**
 * `text` with every occurrence of each secret replaced by `mask`. Longest secret first, so one
 * that contains another is masked whole instead of leaving its remainder; empty values are
 * skipped, since they would match between every two characters.
 */
export function redactSecrets(text: string, secrets: Iterable<string>, mask: string = REDACTED): string {
  const values = [...new Set(secrets)].filter((secret) => secret !== '').sort((a, b) => b.length - a.length);
  let out = text;
  for (const secret of values) out = out.split(secret).join(mask);
  return out;
}

/**
 * The first line of what `error` says (its `message`, else the value itself), secrets
 * redacted. Redaction runs on the whole text before the cut, so a secret that spans a line
 * break cannot leave its first part behind.
 */
export function errorLine(error: unknown, secrets: Iterable<string> = []): string {
  const message = (error as { message?: unknown } | null | undefined)?.message;
  const text = typeof message === 'string' ? message : String(error);
  return redactSecrets(text, secrets).split('\n')[0] ?? '';
}

/**
 * All of `text` on one line (every run of white space becomes one space), secrets redacted,
 * then cut to `maxChars` with '…'. For bodies written by someone else (an automation's answer),
 * whose reason may sit on any line. Redacted before the cut, so no prefix of a secret survives.
 */
export function foldLine(text: string, secrets: Iterable<string>, maxChars: number): string {
  const line = redactSecrets(text, secrets).replace(/\s+/g, ' ').trim();
  return line.length > maxChars ? `${line.slice(0, maxChars)}…` : line;
}
