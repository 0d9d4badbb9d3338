import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { InputError } from '@paved/model';

/** What `paved login` / `paved up` remember between commands. */
export interface CliConfig {
  url?: string;
  token?: string;
  team?: string;
}

/** PAVED_CLI_CONFIG, else $XDG_CONFIG_HOME/paved/config.json, else ~/.config/paved/config.json. */
export function cliConfigPath(env: NodeJS.ProcessEnv): string {
  if (env.PAVED_CLI_CONFIG) return env.PAVED_CLI_CONFIG;
  const base = env.XDG_CONFIG_HOME ? env.XDG_CONFIG_HOME : join(env.HOME ?? process.getBuiltinModule('node:os').homedir(), '.config');
  return join(base, 'paved', 'config.json');
}

export async function readCliConfig(path: string): Promise<CliConfig> {
  let text: string;
  try {
    // Read at once: fs/promises' file handles cost `paved get` ≈ 2 ms more for a few bytes.
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InputError(`the CLI config ${path} is not valid JSON; fix it or remove it and run paved login`, {
      code: 'cli_config_invalid', issues: [{ path, message: 'is not valid JSON' }],
    });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InputError(`the CLI config ${path} must hold a JSON object`, { code: 'cli_config_invalid', issues: [{ path, message: 'must be an object' }] });
  }
  const raw = parsed as Record<string, unknown>;
  const config: CliConfig = {};
  for (const key of ['url', 'token', 'team'] as const) {
    if (typeof raw[key] === 'string') config[key] = raw[key];
  }
  return config;
}

/**
 * Writes the config with mode 0600 in a 0700 folder: it holds a token. Written to a temporary
 * file and renamed so a crash never leaves half a file, and so an older file's looser mode
 * does not survive.
 */
export async function writeCliConfig(path: string, config: CliConfig): Promise<void> {
  // Loaded here, not at the top: a command that only reads the config (`paved get`) then loads
  // neither fs/promises nor what it loads (readline, fs watchers), ≈ 1 ms (bench/README.md §9).
  const { mkdir, rename, writeFile, chmod } = await import('node:fs/promises');
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  const clean = Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined));
  await writeFile(tmp, JSON.stringify(clean, null, 2) + '\n', { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, path);
}
