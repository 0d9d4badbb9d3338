import type { Command } from 'commander';
import { action, type Runner } from '../context.js';
import { formatTable } from '../output.js';
import { parseExpiryDays, printIssued } from './tokens.js';

export function registerUserCommands(program: Command, runner: Runner): void {
  const users = program.command('users').description('manage users (platform admins)');
  users
    .command('list', { isDefault: true })
    .description('list every user')
    .action(action(runner, async (ctx) => {
      const { items } = await (await ctx.client()).listUsers();
      ctx.print(items, () => formatTable(['NAME', 'ADMIN', 'DISABLED', 'CREATED'], items.map((u) => [u.name, u.admin ? 'yes' : '', u.disabled ? 'yes' : '', u.createdAt]), ctx.colors));
    }));

  users
    .command('create')
    .description('create a user and print their first API token (shown once)')
    .argument('<name>', 'user name (lowercase letters, digits, "-")')
    .option('--admin', 'make the user a platform admin', false)
    .addHelpText('after', '\nExamples:\n  paved users create ann\n  paved users create ops-bot --admin -o json')
    .action(action(runner, async (ctx, name: string, opts: { admin: boolean }) => {
      const created = await (await ctx.client()).createUser({ name, admin: opts.admin });
      ctx.err(ctx.colors.yellow('warning: this token is shown only once; store it now (it is kept only as a hash)\n'));
      ctx.print(created, () => `Created user ${created.user.name}${created.user.admin ? ' (platform admin)' : ''}.\ntoken: ${created.token} (expires ${created.tokenInfo.expiresAt ?? 'never'})\n`);
    }));

  users
    .command('token')
    .description('issue another API token for a user (platform admins, or yourself); shown once')
    .argument('<name>', 'user name')
    .option('--name <label>', 'what the token is for, to tell tokens apart', 'cli')
    .option('--expires-in <days>', 'days until it stops working, 1d to 366d', '90d')
    .addHelpText('after', '\nExamples:\n  paved users token ann            # e.g. for a user imported from Backstage\n  paved users token ann --name ci -o json\n(paved tokens create has every option: --team, --read-only)')
    .action(action(runner, async (ctx, name: string, opts: { name: string; expiresIn: string }) => {
      printIssued(ctx, await (await ctx.client()).createToken(name, { name: opts.name, expiresInDays: parseExpiryDays(opts.expiresIn) }));
    }));

  users
    .command('link')
    .description("link a user to their subject at the identity provider, so that signing in (paved login --oidc) is them")
    .argument('<name>', 'user name')
    .requiredOption('--subject <sub>', "the user's subject (sub) at the provider, as the refused sign-in showed it")
    .addHelpText('after', "\nExample:\n  paved users link admin --subject 'f3a9c2d0-…'   # the first admin signs in with their company account")
    .action(action(runner, async (ctx, name: string, opts: { subject: string }) => {
      const linked = await (await ctx.client()).linkUserIdentity(name, opts.subject);
      ctx.print(linked, () => `${linked.user} is linked to ${linked.subject} at ${linked.issuer}.\n`);
    }));

  for (const [verb, disabled] of [['disable', true], ['enable', false]] as const) {
    users
      .command(verb)
      .description(disabled ? "disable a user: their tokens stop working at once (nothing of theirs is deleted)" : 'enable a disabled user again')
      .argument('<name>', 'user name')
      .action(action(runner, async (ctx, name: string) => {
        const user = await (await ctx.client()).updateUser(name, { disabled });
        ctx.print(user, () => `${user.name} is ${user.disabled ? 'disabled' : 'enabled'}.\n`);
      }));
  }
}
