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
        : formatTable(['NAME', 'TITLE', 'PLATFORM'], items.map((t) => [t.name, t.title, t.platform ? 'yes' : '']), ctx.colors));
    }));

  teams
    .command('create')
    .description('create a team (platform admins); you become its owner')
    .argument('<name>', 'team name (lowercase letters, digits, "-")')
    .option('--title <title>', 'human-readable title')
    .option('--platform', 'a platform team: its members publish the products it owns', false)
    .addHelpText('after', '\nExamples:\n  paved teams create payments --title "Payments team"\n  paved teams create data-platform --platform')
    .action(action(runner, async (ctx, name: string, opts: { title?: string; platform: boolean }) => {
      const team = await (await ctx.client()).createTeam({ name, platform: opts.platform, ...(opts.title ? { title: opts.title } : {}) });
      ctx.print(team, () => `Created ${team.platform ? 'platform team' : 'team'} ${team.name}.\nNext: paved teams add-member ${team.name} USER --role member\n`);
    }));

  teams
    .command('update')
    .description("change a team's title (team owners), or make it a platform team or not (platform admins)")
    .argument('<team>', 'team name')
    .option('--title <title>', 'human-readable title')
    .option('--platform', 'make it a platform team: its members publish the products it owns')
    .option('--no-platform', 'make it a developer team again')
    .addHelpText('after', '\nExamples:\n  paved teams update data-platform --platform\n  paved teams update payments --title "Payments"')
    .action(action(runner, async (ctx, name: string, opts: { title?: string; platform?: boolean }) => {
      if (opts.title === undefined && opts.platform === undefined) {
        throw new InputError('say what to change: --title, --platform or --no-platform', { issues: [{ path: '--title', message: 'nothing to change' }] });
      }
      const team = await (await ctx.client()).updateTeam(name, { ...(opts.title !== undefined ? { title: opts.title } : {}), ...(opts.platform !== undefined ? { platform: opts.platform } : {}) });
      ctx.print(team, () => `${team.name}: ${team.title}${team.platform ? ' (platform team)' : ''}.\n`);
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
    .command('remove-member')
    .description('remove a user from a team (team owners and platform admins); a team keeps at least one owner')
    .argument('<team>', 'team name')
    .argument('<user>', 'user name')
    .addHelpText('after', '\nExample:\n  paved teams remove-member payments ann')
    .action(action(runner, async (ctx, team: string, user: string) => {
      await (await ctx.client()).removeMember(team, user);
      ctx.print({ team, user, removed: true }, () => `${user} is no longer a member of ${team}.\n`);
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
