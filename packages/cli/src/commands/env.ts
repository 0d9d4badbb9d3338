import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { InputError, type Credentials } from '@paved/model';
import { Option, type Command } from 'commander';
import { action, type Context, type Runner } from '../context.js';
import { credentialVariables, ENV_FORMATS, formatEnv, type EnvFormat, type PrefixOption } from '../env-format.js';

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
    .requiredOption('--instance <name>', 'an instance whose credentials to pass; repeatable', collect, [])
    .option('--prefix <prefix>', 'variable name prefix (default: the instance name upper-cased)')
    .option('--no-prefix', 'no prefix')
    .argument('<command...>', 'the command and its arguments, after --')
    .addHelpText('after', '\nExamples:\n  paved run --instance orders-db -- npm start\n  paved run --instance orders-db --no-prefix -- sh -c \'psql "$URL"\'')
    .action(action(runner, async (ctx, argv: string[], opts: { instance: string[]; prefix: PrefixOption }) => {
      if (opts.instance.length === 0) throw new InputError('--instance is required', { issues: [{ path: '--instance', message: 'is required' }] });
      const vars = credentialVariables(await reveal(ctx, opts.instance), prefixOf(opts.prefix));
      return runChild(ctx, argv, { ...ctx.io.env, ...vars });
    }));
}

/** Spawns the command with inherited stdio, forwards SIGINT/SIGTERM, and resolves to its exit code (128+signal when killed). */
function runChild(ctx: Context, argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [command, ...args] = argv;
  return new Promise((resolve, reject) => {
    const child = spawn(command!, args, { stdio: 'inherit', env });
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
      resolve(code ?? 128 + (signal ? constants.signals[signal] : 0));
    });
  });
}
