import { createClient, type PavedClient } from '@paved/client';
import { UnauthenticatedError } from '@paved/model';
import type { Command } from 'commander';
import { colorsEnabled, createColors, type Colors } from './colors.js';
import { cliConfigPath, readCliConfig, type CliConfig } from './config-file.js';
import type { Io } from './io.js';
import { formatData, type OutputFormat } from './output.js';
import { CLI_VERSION } from './root-program.js';
import { resolveTeam } from './team-resolution.js';
import { printable } from './terminal-text.js';

/** Options every command accepts (declared once on the program). */
export interface GlobalOptions {
  url?: string;
  token?: string;
  team?: string;
  output: OutputFormat;
  /** false with --no-feedback: never ask for feedback after a wait. */
  feedback?: boolean;
}

/** What one command run needs: where to write, whom to talk to, as whom, for which team. */
export class Context {
  readonly colors: Colors;
  readonly configPath: string;
  private cachedConfig: CliConfig | undefined;
  private cachedClient: PavedClient | undefined;

  constructor(readonly io: Io, readonly options: GlobalOptions) {
    this.colors = createColors(colorsEnabled(io));
    this.configPath = cliConfigPath(io.env);
  }

  static of(io: Io, command: Command): Context {
    return new Context(io, command.optsWithGlobals() as GlobalOptions);
  }

  get output(): OutputFormat {
    return this.options.output ?? 'table';
  }

  async config(): Promise<CliConfig> {
    this.cachedConfig ??= await readCliConfig(this.configPath);
    return this.cachedConfig;
  }

  /** --url/--token, then PAVED_URL/PAVED_TOKEN, then the CLI config. */
  async connection(): Promise<{ url: string; token?: string }> {
    const config = await this.config();
    const url = this.options.url ?? this.io.env.PAVED_URL ?? config.url;
    const token = this.options.token ?? this.io.env.PAVED_TOKEN ?? config.token;
    if (!url) {
      throw new UnauthenticatedError('no Paved server configured: run paved up, or paved login --url URL --token -', { code: 'not_logged_in' });
    }
    return token ? { url, token } : { url };
  }

  async client(): Promise<PavedClient> {
    // Named in every request, so the audit log records that it came from the CLI.
    this.cachedClient ??= createClient({ ...(await this.connection()), client: `cli/${CLI_VERSION}` });
    return this.cachedClient;
  }

  async team(): Promise<string> {
    const client = await this.client();
    return resolveTeam({
      flag: this.options.team,
      env: this.io.env.PAVED_TEAM,
      config: (await this.config()).team,
      whoami: () => client.whoami(),
    });
  }

  out(text: string): void {
    this.io.stdout.write(text);
  }

  /** Messages for people on stderr (warnings, where things are), which may quote others' words: printable only. */
  err(text: string): void {
    this.io.stderr.write(printable(text, { newlines: true }));
  }

  /**
   * Prints the API object as json/yaml, or the human rendering for table output, which holds
   * text others wrote: printable only, its colours and lines kept (terminal-text.ts).
   */
  print(data: unknown, human: () => string): void {
    this.out(this.output === 'table' ? printable(human(), { newlines: true }) : formatData(data, this.output));
  }
}

/** Wraps a command action: builds the Context and records the exit code it returns. */
export type ActionResult = number | void;
export interface Runner {
  io: Io;
  setExitCode(code: number): void;
}

export function action<A extends unknown[]>(runner: Runner, fn: (ctx: Context, ...args: A) => Promise<ActionResult>) {
  return async (...all: unknown[]): Promise<void> => {
    const command = all.at(-1) as Command;
    const code = await fn(Context.of(runner.io, command), ...(all.slice(0, -1) as A));
    runner.setExitCode(code ?? 0);
  };
}
