import { InputError } from '@paved/model';

/** The longest timeout: a timer past 2^31-1 ms (24.8 days) would fire at once. */
const MAX_TIMEOUT_MS = 24 * 3_600_000;

/** '90s', '5m', '1h', '250ms' or bare seconds → milliseconds, at most 24h. */
export function parseTimeout(text: string, flag = '--timeout'): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  const factor = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(match?.[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  const ms = match ? Math.round(Number(match[1]) * factor) : Number.NaN;
  if (!(ms > 0 && ms <= MAX_TIMEOUT_MS)) {
    throw new InputError(`${flag} must be a duration from 1ms to 24h, such as 30s, 5m or 1h (got "${text}")`, { code: 'duration_invalid', issues: [{ path: flag, message: 'is not a duration from 1ms to 24h' }] });
  }
  return ms;
}

/** 1234 → "1.2s", 75000 → "1m15s". */
export function formatElapsed(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/** Age as kubectl shows it: 45s, 12m, 3h, 5d. */
export function formatAge(since: string, now = Date.now()): string {
  const s = Math.max(0, Math.floor((now - Date.parse(since)) / 1000));
  if (Number.isNaN(s)) return '?';
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172_800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}
