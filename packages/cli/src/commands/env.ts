import { relative } from 'node:path';
import { constants } from 'node:os';
import { InputError, type Credentials } from '@paved/model';
import { Option, type Command } from 'commander';
import { action, type Context, type Runner } from '../context.js';
import { credentialVariables, ENV_FORMATS, formatEnv, type EnvFormat, type PrefixOption } from '../env-format.js';
import { renderedVariables, renderWorkload } from './workload.js';
import { shipChildOutput, type LogShipTarget } from '../log-shipper.js';
import { secretMask } from '../secret-mask.js';
import { placeFilesAndVolumes } from '../workload-files.js';

/** --prefix P → 'P', --no-prefix → false, neither → undefined (commander leaves it unset). */
const prefixOf = (value: unknown): PrefixOption => (typeof value === 'string' ? value : value === false ? false : undefined);
const collect = (value: string, previous: string[]) => [...previous, value];

async function reveal(ctx: Context, names: readonly string[]): Promise<Credentials[]> {
  const team = await ctx.team();
  const client = await ctx.client();
  const all: Credentials[] = [];
  for (const name of names) all.push(await client.revealCredentials(team, name));
  return all;
}

/** The secret values among revealed credentials: those that are not the instance's public outputs. */
async function secretValues(ctx: Context, all: readonly Credentials[]): Promise<string[]> {
  const client = await ctx.client();
  const secrets: string[] = [];
  for (const creds of all) {
    const { outputs } = await client.getInstance(creds.team, creds.instance);
    for (const [key, value] of Object.entries(creds.values)) if (outputs[key] !== value) secrets.push(value);
  }
  return secrets;
}

export function registerEnvCommands(program: Command, runner: Runner): void {
  program
    .command('env')
    .description('print the credentials of instances as environment variables (each reveal is audited)')
    .argument('<names...>', 'instance names')
    .addOption(new Option('--format <format>', 'output format').choices(ENV_FORMATS as string[]).default('dotenv'))
    .option('--prefix <prefix>', 'variable name prefix (default: the instance name upper-cased, e.g. ORDERS_DB_)')
    .option('--no-prefix', 'no prefix: PASSWORD, HOST…')
    .addHelpText('after', '\nExamples:\n  paved env orders-db > .env                 # ORDERS_DB_PASSWORD="…"\n  eval "$(paved env orders-db --format shell)"\n  paved env orders-db cache --format json')
    .action(action(runner, async (ctx, names: string[], opts: { format: EnvFormat; prefix: PrefixOption }) => {
      const vars = credentialVariables(await reveal(ctx, names), prefixOf(opts.prefix));
      ctx.out(formatEnv(vars, opts.format));
    }));

  program
    .command('run')
    .description('run a command with instances\' credentials in its environment (never in its arguments or output)')
    .option('--instance <name>', 'an instance whose credentials to pass; repeatable', collect, [])
    .option('--service <name>', 'ship the command\'s stdout and stderr to this service\'s log stream (with --env)')
    .option('--env <environment>', 'the environment of --service\'s log stream')
    .option('-f, --file <path>', "a Score file (with --env): its container's rendered variables, files and volumes in .paved/, and its routes served")
    .option('--container <name>', 'with -f: the container whose variables to pass (needed when there are several)')
    .option('--prefix <prefix>', 'variable name prefix (default: the instance name upper-cased)')
    .option('--no-prefix', 'no prefix')
    .argument('<command...>', 'the command and its arguments, after --')
    .addHelpText('after', '\nExamples:\n  paved run --instance orders-db -- npm start\n  paved run --service shop --env dev --instance orders-db -- npm start   # output also shipped to paved logs shop --env dev\n  paved run --instance orders-db --no-prefix -- sh -c \'psql "$URL"\'')
    .action(action(runner, async (ctx, argv: string[], opts: { instance: string[]; prefix: PrefixOption; service?: string; env?: string; file?: string; container?: string }) => {
      if (opts.file !== undefined) {
        // Score: the rendered variables, the container's files and volumes, the routes served,
        // and the output shipped to the service's log stream.
        const rendered = await renderWorkload(ctx, { file: opts.file, env: opts.env, service: opts.service, container: opts.container });
        const vars = renderedVariables(rendered);
        for (const placed of await placeFilesAndVolumes(rendered)) ctx.err(ctx.colors.dim(`paved: ${placed.kind} ${placed.target} is ${relative(process.cwd(), placed.path) || '.'}\n`));
        // The router (node:http, http-proxy-3) is loaded by the `paved run` that serves routes.
        const router = await (await import('../workload-router.js')).startWorkloadRouter(ctx, rendered);
        const target = await logShipTarget(ctx, rendered.service, rendered.env, rendered.secrets).catch(() => undefined);
        try {
          return await runChild(ctx, argv, { ...ctx.io.env, ...vars }, target);
        } finally {
          await router?.close();
        }
      }
      if (opts.instance.length === 0 && opts.service === undefined) {
        throw new InputError('--instance (or --service with --env) is required', { issues: [{ path: '--instance', message: 'is required' }] });
      }
      if (opts.service !== undefined && opts.env === undefined) throw envRequired();
      const revealed = await reveal(ctx, opts.instance);
      const vars = credentialVariables(revealed, prefixOf(opts.prefix));
      const ship = opts.service === undefined ? undefined : await logShipTarget(ctx, opts.service, opts.env, await secretValues(ctx, revealed));
      return runChild(ctx, argv, { ...ctx.io.env, ...vars }, ship);
    }));
}

const envRequired = () => new InputError('--service needs --env (the environment whose log stream gets the output)', { code: 'env_required', issues: [{ path: '--env', message: 'is required with --service' }] });

/** Where `paved run --service S --env E` ships the command's output: S's log stream in E, with `secrets` masked. */
async function logShipTarget(ctx: Context, service: string, env: string | undefined, secrets: readonly string[]): Promise<LogShipTarget> {
  if (env === undefined) throw envRequired();
  const team = await ctx.team();
  const client = await ctx.client();
  return {
    send: (lines) => client.appendLogLines(team, service, env, { lines }),
    stdout: ctx.io.stdout,
    stderr: ctx.io.stderr,
    warn: (message) => ctx.err(`${ctx.colors.yellow(message)}\n`),
    secrets: secretMask(secrets),
  };
}

/**
 * Spawns the command, forwards SIGINT/SIGTERM, and resolves to its exit code (128+signal when
 * killed). Stdio is inherited, or with `ship` stdout and stderr are piped, passed through and
 * shipped to a log stream; the exit waits for the last lines to be shipped.
 */
export async function runChild(ctx: Context, argv: string[], env: NodeJS.ProcessEnv, ship?: LogShipTarget): Promise<number> {
  const [command, ...args] = argv;
  // Loaded by the command that starts a child, not by every `paved` (node:child_process loads net and dgram).
  const { spawn } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    const child = spawn(command!, args, { stdio: ship ? ['inherit', 'pipe', 'pipe'] : 'inherit', env });
    const shipping = ship ? shipChildOutput(child, ship) : undefined;
    const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
    const offs = [ctx.io.onSignal('SIGINT', forward('SIGINT')), ctx.io.onSignal('SIGTERM', forward('SIGTERM'))];
    const cleanup = () => offs.forEach((off) => off());
    child.on('error', (error: NodeJS.ErrnoException) => {
      cleanup();
      reject(error.code === 'ENOENT'
        ? new InputError(`command not found: ${command}`, { code: 'command_not_found', issues: [{ path: 'command', message: `${command} is not on PATH` }] })
        : error);
    });
    child.on('exit', (code, signal) => {
      cleanup();
      const exitCode = code ?? 128 + (signal ? constants.signals[signal] : 0);
      void (shipping?.done ?? Promise.resolve()).then(() => resolve(exitCode));
    });
  });
}
