import { InputError, type FieldIssue } from '@paved/model';

export interface ValidLogLine {
  at: string;
  stream: 'stdout' | 'stderr';
  line: string;
}

/**
 * Checks shipped lines one by one so a bad one is named by its place (`lines[3].line`), and
 * gives each an ISO `at` (the server's time when the shipper sent none, or a later one). Every
 * problem is reported at once.
 */
export function validateLogLines(lines: readonly unknown[], now: number): ValidLogLine[] {
  const issues: FieldIssue[] = [];
  const valid: ValidLogLine[] = [];
  const received = new Date(now).toISOString();
  lines.forEach((item, index) => {
    const path = `lines[${index}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      issues.push({ path, message: 'must be an object { at?, stream, line }' });
      return;
    }
    const { at, stream, line, ...rest } = item as Record<string, unknown>;
    for (const key of Object.keys(rest)) issues.push({ path: `${path}.${key}`, message: 'is not allowed' });
    if (typeof line !== 'string') issues.push({ path: `${path}.line`, message: 'must be a string' });
    if (stream !== 'stdout' && stream !== 'stderr') issues.push({ path: `${path}.stream`, message: 'must be "stdout" or "stderr"' });
    let iso = received;
    if (at !== undefined) {
      const parsed = typeof at === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(at) ? Date.parse(at) : Number.NaN;
      if (Number.isNaN(parsed)) issues.push({ path: `${path}.at`, message: 'must be an ISO 8601 date-time' });
      // A line cannot be from the future: one that says so is taken as received now, or it
      // would outlive every retention (pruning goes by `at`) and match every `since` to come.
      else iso = new Date(Math.min(parsed, now)).toISOString();
    }
    if (typeof line === 'string' && (stream === 'stdout' || stream === 'stderr')) valid.push({ at: iso, stream, line });
  });
  if (issues.length > 0) {
    const shown = issues.slice(0, 3).map((i) => `${i.path} ${i.message}`).join('; ');
    throw new InputError(`Invalid log lines: ${shown}${issues.length > 3 ? ` (and ${issues.length - 3} more)` : ''}`, { code: 'log_lines_invalid', issues });
  }
  return valid;
}
