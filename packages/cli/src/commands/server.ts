import { InputError, UnavailableError } from '@paved/model';
import { Option, type Command } from 'commander';
import { writeCliConfig } from '../config-file.js';
import { action, type Context, type Runner } from '../context.js';

type ProcessRole = 'all' | 'api' | 'worker';

/**
 * Loaded on demand, through here only: the platform (Fastify, every driver, embedded PostgreSQL)
 * is heavy and only the commands that run on a server's machine need it (`up`, `server`, `keys`,
 * `backup`, `restore`). A CLI installed without @paved/platform (an optional peer) still runs
 * every other command.
 */
export async function loadRuntime(): Promise<typeof import('@paved/platform')> {
  try {
    return await import('@paved/platform');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND' || !String(error).includes('@paved/platform')) throw error;
    throw new UnavailableError('This paved CLI was installed without the platform: `paved up`, `server`, `keys`, `backup` and `restore` need the @paved/platform package (npm install @paved/platform), or run them from a clone of the repository', { code: 'platform_missing', cause: error });
  }
}

const parsePort = (value: string): number => {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InputError(`--port must be an integer from 0 to 65535 (got "${value}")`, { issues: [{ path: '--port', message: 'is not a port' }] });
  }
  return port;
};

/** The URL a server on host:port will report, to match it with the CLI config before it starts. */
function expectedUrl(host: string, port: number, tls: boolean): string {
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `${tls ? 'https' : 'http'}://${shown}:${port}`;
}

/** Resolves on the first SIGINT or SIGTERM. */
function untilSignal(ctx: Context): Promise<string> {
  return new Promise((resolve) => {
    const offs = (['SIGINT', 'SIGTERM'] as const).map((signal) => ctx.io.onSignal(signal, () => {
      offs.forEach((off) => off());
      resolve(signal);
    }));
  });
}

export function registerServerCommands(program: Command, runner: Runner): void {
  program
    .command('up')
    .description('run Paved locally in one process (API and worker) on SQLite, and sign this CLI in as its admin')
    .option('--data-dir <dir>', 'data folder (default: $PAVED_DATA_DIR or ~/.local/share/paved)')
    .option('--port <port>', 'HTTP port (default: $PAVED_PORT or 7468)', parsePort)
    .option('--host <host>', 'address to listen on (default: $PAVED_HOST or 127.0.0.1)')
    .addHelpText('after', '\nExamples:\n  paved up\n  paved up --data-dir ./.paved --port 8080')
    .action(action(runner, async (ctx, opts: { dataDir?: string; port?: number; host?: string }) => {
      const { loadConfig, startPaved } = await loadRuntime();
      const config = loadConfig(ctx.io.env, {
        ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
        ...(opts.port !== undefined ? { port: opts.port } : {}),
        ...(opts.host ? { host: opts.host } : {}),
      });
      const saved = await ctx.config();
      // Reuse the saved admin token only for the same server, so `paved up` twice keeps the CLI signed in.
      const sameServer = saved.url === expectedUrl(config.host, config.port, config.tls !== undefined);
      const running = await startPaved(config, {
        bootstrap: true,
        ...(sameServer && saved.token ? { adminToken: saved.token } : {}),
        onProgress: (line) => ctx.err(`${line}\n`),
      });
      if (running.url && running.adminToken) {
        await writeCliConfig(ctx.configPath, { url: running.url, token: running.adminToken, team: saved.url === running.url ? saved.team : undefined });
      }
      const c = ctx.colors;
      ctx.out(`${c.green('✔')} Paved is listening on ${c.bold(running.url ?? '(no API)')}\n`
        + `  data folder: ${config.dataDir}\n`
        + (running.portal ? `  web portal: ${running.url} (sign in with an API token: paved tokens create NAME)\n` : '')
        + (running.metricsUrl ? `  Prometheus metrics: ${running.metricsUrl}\n` : '')
        + (running.adminToken ? `  this CLI is signed in as the platform admin (${ctx.configPath})\n` : '')
        + `\nNext steps (in another terminal):\n`
        + `  paved teams create my-team\n  paved products\n  paved create postgres my-db --team my-team --wait\n  paved env my-db --team my-team\n`
        + `\nPress Ctrl-C to stop.\n`);
      const signal = await untilSignal(ctx);
      ctx.err(`${signal}: stopping Paved…\n`);
      await running.stop();
      ctx.err('Paved stopped.\n');
    }));

  program
    .command('server')
    .description('run a Paved server process for production: the API, a worker, or both (configured by PAVED_* variables)')
    .addOption(new Option('--role <role>', 'which parts to run').choices(['all', 'api', 'worker']).default('all'))
    .option('--port <port>', 'HTTP port of the API (default: $PAVED_PORT or 7468)', parsePort)
    .option('--host <host>', 'address the API listens on (default: $PAVED_HOST or 127.0.0.1)')
    .addHelpText('after', '\nExamples:\n  PAVED_DATABASE_URL=postgres://… paved server --role api --port 8080\n  PAVED_DATABASE_URL=postgres://… paved server --role worker')
    .action(action(runner, async (ctx, opts: { role: ProcessRole; port?: number; host?: string }) => {
      const { loadConfig, startPaved } = await loadRuntime();
      const config = loadConfig(ctx.io.env, {
        role: opts.role,
        ...(opts.port !== undefined ? { port: opts.port } : {}),
        ...(opts.host ? { host: opts.host } : {}),
      });
      const running = await startPaved(config, { onProgress: (line) => ctx.err(`${line}\n`) });
      ctx.err(`Paved ${opts.role} process started${running.url ? ` on ${running.url}` : ''}${running.metricsUrl ? `; Prometheus metrics at ${running.metricsUrl}` : ''}.\n`);
      const signal = await untilSignal(ctx);
      ctx.err(`${signal}: stopping…\n`);
      await running.stop();
    }));
}
