/**
 * Preflight answers "can this driver act on this target at all?" for the operator setting the
 * target up. It reports and never throws: every problem is one line saying what to fix.
 */
import { DriverError } from '@paved/model';
import { errorLine } from './error-text.js';
import type { PreflightResult, Target } from './index.js';

/**
 * Runs `check` on what `prepare` makes of the target (its config read and checked, or a client
 * for it). A config that cannot be used fails preflight with one problem per field at fault
 * ("config.url is required (…)"), and so does anything `check` throws instead of reporting.
 */
export async function preflightWith<T>(target: Target, prepare: (target: Target) => T, check: (prepared: T) => Promise<PreflightResult>): Promise<PreflightResult> {
  try {
    return await check(prepare(target));
  } catch (error) {
    return { ok: false, problems: problemsOf(error) };
  }
}

/** The problem of a server that does not answer the admin: who tried, what was said, where to look. */
export function cannotConnect(server: string, admin: { display: string; password: string }, error: unknown): string {
  return `cannot connect to ${server} as ${admin.display}: ${errorLine(error, [admin.password])}; check config.url and that the server is running`;
}

function problemsOf(error: unknown): string[] {
  const issues = error instanceof DriverError ? error.issues : [];
  return issues.length > 0 ? issues.map((issue) => `${issue.path} ${issue.message}`) : [errorLine(error)];
}
