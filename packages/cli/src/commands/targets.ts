import type { Command } from 'commander';
import type { TargetHealth } from '@paved/model';
import { action, type Context, type Runner } from '../context.js';
import { formatTable } from '../output.js';

/** `paved targets`: the platform's targets and whether their drivers can act on them now (platform admins). */
export function registerTargetCommands(program: Command, runner: Runner): void {
  program
    .command('targets')
    .description("every configured target and its health from the driver's preflight (platform admins; never the target's config)")
    .addHelpText('after', '\nExamples:\n  paved targets\n  paved targets -o json')
    .action(action(runner, async (ctx) => {
      const { items } = await (await ctx.client()).listTargets();
      ctx.print(items, () => targetTable(ctx, items));
    }));
}

function targetTable(ctx: Context, targets: readonly TargetHealth[]): string {
  const health = (t: TargetHealth) => (t.health.ok ? ctx.colors.green('ok') : ctx.colors.red('failing'));
  return formatTable(['NAME', 'DRIVER', 'HEALTH', 'PROBLEMS'], targets.map((t) => [t.name, t.driver, health(t), t.health.problems.join('; ')]), ctx.colors);
}
