import { InputError } from '@paved/model';
import type { Command } from 'commander';
import { action, type Context, type Runner } from '../context.js';
import { formatTable } from '../output.js';

function requireEnv(env: string | undefined): string {
  if (env) return env;
  throw new InputError('config is per environment: add --env (e.g. --env dev)', { code: 'env_required', issues: [{ path: '--env', message: 'is required' }] });
}

/** ['NAME=Bob'] → { NAME: 'Bob' }; the value may hold "=". */
function assignments(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const value of values) {
    const at = value.indexOf('=');
    if (at <= 0) throw new InputError(`${value}: expected NAME=VALUE`, { code: 'flag_invalid', issues: [{ path: value, message: 'expected NAME=VALUE' }] });
    out[value.slice(0, at)] = value.slice(at + 1);
  }
  return out;
}

async function show(ctx: Context, service: string, env: string, change?: (values: Record<string, string>) => Record<string, string>): Promise<void> {
  const team = await ctx.team();
  const client = await ctx.client();
  let config = await client.getWorkloadConfig(team, service, env);
  if (change) config = await client.setWorkloadConfig(team, service, env, { values: change({ ...config.values }) });
  const rows = Object.entries(config.values).sort(([a], [b]) => a.localeCompare(b));
  ctx.print(config, () => (rows.length === 0 ? `${service} has no config in ${env}\n` : formatTable(['NAME', 'VALUE'], rows, ctx.colors)));
}

/**
 * `paved config`: a service's own values in an environment, which its Score `environment`
 * resource gives (`${resources.env.NAME}`), over the environment's variables. Not for secrets:
 * team viewers read them.
 */
export function registerConfigCommands(program: Command, runner: Runner): void {
  const config = program.command('config').description("a service's own config values in an environment: what its Score environment resource gives (not secret)");
  config
    .command('list', { isDefault: true })
    .description("a service's config values in an environment")
    .argument('<service>')
    .option('--env <environment>', 'the environment')
    .action(action(runner, (ctx, service: string, opts: { env?: string }) => show(ctx, service, requireEnv(opts.env))));
  config
    .command('set')
    .description('set values (the service\'s environment resources there take them at once)')
    .argument('<service>')
    .argument('<assignments...>', 'NAME=VALUE …')
    .option('--env <environment>', 'the environment')
    .addHelpText('after', '\nExamples:\n  paved config set hello-world NAME=Bob --env dev   # ${resources.env.NAME} is Bob')
    .action(action(runner, (ctx, service: string, values: string[], opts: { env?: string }) => {
      const set = assignments(values);
      return show(ctx, service, requireEnv(opts.env), (current) => ({ ...current, ...set }));
    }));
  config
    .command('unset')
    .description('remove values')
    .argument('<service>')
    .argument('<names...>')
    .option('--env <environment>', 'the environment')
    .action(action(runner, (ctx, service: string, names: string[], opts: { env?: string }) =>
      show(ctx, service, requireEnv(opts.env), (current) => Object.fromEntries(Object.entries(current).filter(([name]) => !names.includes(name))))));
}
