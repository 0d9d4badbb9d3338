import { InputError, type WhoAmI } from '@paved/model';

export interface TeamSources {
  /** --team */
  flag?: string;
  /** PAVED_TEAM */
  env?: string;
  /** `team` in the CLI config */
  config?: string;
  /** Asked only when nothing above names a team. */
  whoami: () => Promise<WhoAmI>;
}

/** --team, then PAVED_TEAM, then the CLI config, then the user's only membership. */
export async function resolveTeam(sources: TeamSources): Promise<string> {
  for (const value of [sources.flag, sources.env, sources.config]) {
    if (value) return value;
  }
  const { memberships } = await sources.whoami();
  const teams = [...new Set(memberships.map((m) => m.teamName))].sort();
  if (teams.length === 1) return teams[0]!;
  if (teams.length === 0) {
    throw new InputError('you are not a member of any team: name one with --team, or ask a team owner to add you', {
      code: 'team_required', issues: [{ path: '--team', message: 'is required' }],
    });
  }
  throw new InputError(`you are a member of ${teams.length} teams (${teams.join(', ')}): choose one with --team (or PAVED_TEAM)`, {
    code: 'team_ambiguous', issues: [{ path: '--team', message: `one of ${teams.join(', ')}` }],
  });
}
