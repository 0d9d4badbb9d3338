import { InputError, TEAM_ROLES, type Membership, type Page, type TeamRole } from '@paved/model';
import { Option, type Command } from 'commander';
import { action, type Runner } from '../context.js';
import { formatTable } from '../output.js';

/** Reads every page of a listing. */
export async function allPages<T>(fetchPage: (cursor?: string) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await fetchPage(cursor);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

export function registerTeamCommands(program: Command, runner: Runner): void {
  const teams = program.command('teams').description('list and manage teams')
    .addHelpText('after', '\nExamples:\n  paved teams\n  paved teams create payments --title "Payments"\n  paved teams add-member payments ann --role member');

  teams
    .command('list', { isDefault: true })
    .description('list your teams (every team for platform admins)')
    .action(action(runner, async (ctx) => {
      const client = await ctx.client();
      const items = await allPages((cursor) => client.listTeams({ cursor }));
      ctx.print(items, () => items.length === 0
        ? 'No teams yet. Create one with: paved teams create NAME\n'
        : formatTable(['NAME', 'TITLE'], items.map((t) => [t.name, t.title]), ctx.colors));
    }));

  teams
    .command('create')
    .description('create a team (platform admins); you become its owner')
    .argument('<name>', 'team name (lowercase letters, digits, "-")')
    .option('--title <title>', 'human-readable title')
    .addHelpText('after', '\nExample:\n  paved teams create payments --title "Payments team"')
    .action(action(runner, async (ctx, name: string, opts: { title?: string }) => {
      const team = await (await ctx.client()).createTeam({ name, ...(opts.title ? { title: opts.title } : {}) });
      ctx.print(team, () => `Created team ${team.name}.\nNext: paved teams add-member ${team.name} USER --role member\n`);
    }));

  teams
    .command('add-member')
    .description('add a user to a team or change their role (team owners and platform admins)')
    .argument('<team>', 'team name')
    .argument('<user>', 'user name')
    .addOption(new Option('--role <role>', 'role in the team').choices(TEAM_ROLES as string[]).default('member'))
    .addHelpText('after', '\nExample:\n  paved teams add-member payments ann --role owner')
    .action(action(runner, async (ctx, team: string, user: string, opts: { role: TeamRole }) => {
      if (!TEAM_ROLES.includes(opts.role)) throw new InputError(`--role must be one of ${TEAM_ROLES.join(', ')}`, { issues: [{ path: '--role', message: 'unknown role' }] });
      const membership = await (await ctx.client()).setMembership(team, user, opts.role);
      ctx.print(membership, () => `${membership.userName} is now ${membership.role} of ${membership.teamName}.\n`);
    }));

  teams
    .command('members')
    .description('list the members of a team')
    .argument('<team>', 'team name')
    .addHelpText('after', '\nExample:\n  paved teams members payments -o yaml')
    .action(action(runner, async (ctx, team: string) => {
      const client = await ctx.client();
      const items: Membership[] = await allPages((cursor) => client.listMembers(team, { cursor }));
      ctx.print(items, () => formatTable(['USER', 'ROLE'], items.map((m) => [m.userName, m.role]), ctx.colors));
    }));
}
