/**
 * Durations in target configs are written the way people write them ('90s', '5m', '1h'), and
 * shown back the same way in messages ("timed out after 5m"), so we keep the text as given.
 */
export interface Duration {
  ms: number;
  /** As written in the config, for messages. */
  text: string;
}

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** Parses '500ms', '30s', '5m', '1h' (a whole number and a unit); undefined if it is not one. */
export function parseDuration(text: string): Duration | undefined {
  const match = /^(\d+)(ms|s|m|h)$/.exec(text.trim());
  if (!match) return undefined;
  const ms = Number(match[1]) * UNIT_MS[match[2]!]!;
  return ms > 0 && Number.isSafeInteger(ms) ? { ms, text: text.trim() } : undefined;
}
