import { InputError, type EnvironmentPolicies } from '@paved/model';
import type { Command } from 'commander';
import { action, type Runner } from '../context.js';
import { formatFields, formatTable } from '../output.js';

const collect = (value: string, previous: string[]) => [...previous, value];

/** ['tier=prod'] → { tier: 'prod' }; InputError naming the flag for anything else. */
function pairs(values: readonly string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const value of values) {
    const at = value.indexOf('=');
    if (at <= 0) throw new InputError(`${flag} ${value}: expected key=value`, { code: 'flag_invalid', issues: [{ path: flag, message: 'expected key=value' }] });
    out[value.slice(0, at)] = value.slice(at + 1);
  }
  return out;
}

export function registerEnvironmentCommands(program: Command, runner: Runner): void {
  const environments = program.command('environments').description('environments (dev, staging, prod, …), their target selection and policies');
  environments
    .command('list', { isDefault: true })
    .description('every environment')
    .action(action(runner, async (ctx) => {
      const list = await (await ctx.client()).listEnvironments();
      ctx.print(list, () => formatTable(['NAME', 'SELECTOR', 'DESCRIPTION'], list.map((e) => [e.name, Object.entries(e.targetSelector).map(([k, v]) => `${k}=${v}`).join(','), e.description]), ctx.colors));
    }));
  environments
    .command('create')
    .description('add an environment (platform admin)')
    .argument('<name>')
    .option('--description <text>')
    .option('--selector <key=value>', 'target label required in this environment; repeatable', collect, [])
    .option('--allow-plan <product=plan>', "only these plans of a product ('*' for all products); repeatable", collect, [])
    .option('--deny-product <product>', 'a product that may not be used here; repeatable', collect, [])
    .option('--var <name=value>', "a value every service's Score environment resource sees here (not secret); repeatable", collect, [])
    .addHelpText('after', '\nExamples:\n  paved environments create qa --selector tier=qa --allow-plan postgres=small --var LOG_LEVEL=debug')
    .action(action(runner, async (ctx, name: string, opts: { description?: string; selector: string[]; allowPlan: string[]; denyProduct: string[]; var: string[] }) => {
      const policies: EnvironmentPolicies = {};
      const allowed: Record<string, string[]> = {};
      for (const value of opts.allowPlan) {
        const [product, plan] = Object.entries(pairs([value], '--allow-plan'))[0]!;
        (allowed[product] ??= []).push(plan);
      }
      if (Object.keys(allowed).length > 0) policies.allowedPlans = allowed;
      if (opts.denyProduct.length > 0) policies.deniedProducts = opts.denyProduct;
      const env = await (await ctx.client()).createEnvironment({ name, description: opts.description ?? '', targetSelector: pairs(opts.selector, '--selector'), policies, variables: pairs(opts.var, '--var') });
      ctx.print(env, () => `environment ${env.name} created\n`);
    }));
  environments
    .command('update')
    .description("change an environment's description or variables (platform admin); services take new variables at their next apply")
    .argument('<name>')
    .option('--description <text>')
    .option('--var <name=value>', 'set a variable; repeatable', collect, [])
    .option('--unset-var <name>', 'remove a variable; repeatable', collect, [])
    .addHelpText('after', '\nExamples:\n  paved environments update dev --var LOG_LEVEL=debug --unset-var OLD')
    .action(action(runner, async (ctx, name: string, opts: { description?: string; var: string[]; unsetVar: string[] }) => {
      const client = await ctx.client();
      const current = await client.getEnvironment(name);
      const variables = Object.fromEntries(Object.entries({ ...current.variables, ...pairs(opts.var, '--var') }).filter(([key]) => !opts.unsetVar.includes(key)));
      const env = await client.updateEnvironment(name, { ...(opts.description === undefined ? {} : { description: opts.description }), variables });
      ctx.print(env, () => `environment ${env.name} updated\n`);
    }));
  environments
    .command('show')
    .description('an environment with its target selector and policies')
    .argument('<name>')
    .action(action(runner, async (ctx, name: string) => {
      const env = await (await ctx.client()).getEnvironment(name);
      ctx.print(env, () => formatFields([
        ['Name', env.name], ['Description', env.description],
        ['Selector', Object.entries(env.targetSelector).map(([k, v]) => `${k}=${v}`).join(', ') || '(none)'],
        ['Allowed plans', Object.entries(env.policies.allowedPlans ?? {}).map(([p, plans]) => `${p}=${plans.join('|')}`).join(', ') || '(any)'],
        ['Denied products', (env.policies.deniedProducts ?? []).join(', ') || '(none)'],
        ['Variables', Object.entries(env.variables ?? {}).map(([k, v]) => `${k}=${v}`).join(', ') || '(none)'],
      ], ctx.colors));
    }));
}
