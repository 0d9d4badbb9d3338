import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import type { PreflightResult } from '@paved/driver-api';
import type { ScriptTargetConfig } from './target-config.js';

/**
 * Can Paved run this target's script? Checks the file, never runs it (running a verb could
 * change something). One line per problem with its fix; never throws.
 */
export async function preflight(config: ScriptTargetConfig): Promise<PreflightResult> {
  const problems: string[] = [];
  const file = config.executable;
  try {
    const info = await stat(file);
    if (!info.isFile()) problems.push(`${file} is not a file; point config.executable at the script itself`);
    else {
      try {
        await access(file, constants.X_OK);
      } catch {
        problems.push(`${file} is not executable by Paved's user; run: chmod +x ${file}`);
      }
      // Whoever can rewrite the script runs code with Paved's rights and sees every secret.
      if ((info.mode & 0o022) !== 0) problems.push(`${file} is writable by group or others; run: chmod go-w ${file}`);
    }
  } catch {
    problems.push(`${file} does not exist; install the script there or fix config.executable`);
  }
  if (config.cwd !== undefined) {
    try {
      if (!(await stat(config.cwd)).isDirectory()) problems.push(`${config.cwd} is not a directory; fix config.cwd`);
    } catch {
      problems.push(`${config.cwd} does not exist; create it or fix config.cwd`);
    }
  }
  return { ok: problems.length === 0, problems, version: `script ${file}` };
}
