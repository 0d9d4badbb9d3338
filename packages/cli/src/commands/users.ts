import type { Command } from 'commander';
import { action, type Runner } from '../context.js';

export function registerUserCommands(program: Command, runner: Runner): void {
  const users = program.command('users').description('manage users (platform admins)');
  users
    .command('create')
    .description('create a user and print their first API token (shown once)')
    .argument('<name>', 'user name (lowercase letters, digits, "-")')
    .option('--admin', 'make the user a platform admin', false)
    .addHelpText('after', '\nExamples:\n  paved users create ann\n  paved users create ops-bot --admin -o json')
    .action(action(runner, async (ctx, name: string, opts: { admin: boolean }) => {
      const created = await (await ctx.client()).createUser({ name, admin: opts.admin });
      ctx.err(ctx.colors.yellow('warning: this token is shown only once; store it now (it is kept only as a hash)\n'));
      ctx.print(created, () => `Created user ${created.user.name}${created.user.admin ? ' (platform admin)' : ''}.\ntoken: ${created.token}\n`);
    }));

  users
    .command('token')
    .description('issue another API token for a user (platform admins, or yourself); shown once')
    .argument('<name>', 'user name')
    .option('--name <label>', 'what the token is for, to tell tokens apart', 'cli')
    .addHelpText('after', '\nExamples:\n  paved users token ann            # e.g. for a user imported from Backstage\n  paved users token ann --name ci -o json')
    .action(action(runner, async (ctx, name: string, opts: { name: string }) => {
      const issued = await (await ctx.client()).createToken(name, opts.name);
      ctx.err(ctx.colors.yellow('warning: this token is shown only once; store it now (it is kept only as a hash)\n'));
      ctx.print(issued, () => `Issued a token for ${name}.\ntoken: ${issued.token}\n`);
    }));
}
