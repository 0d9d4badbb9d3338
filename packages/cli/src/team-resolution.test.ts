import { describe, expect, it } from 'vitest';
import { InputError, type Membership, type WhoAmI } from '@paved/model';
import { resolveTeam } from './team-resolution.js';

const me = (...teams: string[]): (() => Promise<WhoAmI>) => async () => ({
  user: { id: 'u', name: 'ann', admin: false, createdAt: '' },
  memberships: teams.map((teamName) => ({ teamName, teamId: teamName, userId: 'u', userName: 'ann', role: 'member' }) as Membership),
});
const never = async (): Promise<WhoAmI> => { throw new Error('whoami must not be called'); };

describe('resolveTeam', () => {
  it('takes --team, then PAVED_TEAM, then the config, without asking the server', async () => {
    expect(await resolveTeam({ flag: 'a', env: 'b', config: 'c', whoami: never })).toBe('a');
    expect(await resolveTeam({ env: 'b', config: 'c', whoami: never })).toBe('b');
    expect(await resolveTeam({ config: 'c', whoami: never })).toBe('c');
  });

  it('falls back to the only membership', async () => {
    expect(await resolveTeam({ whoami: me('payments') })).toBe('payments');
  });

  it('lists the teams and suggests --team when ambiguous', async () => {
    const error = await resolveTeam({ whoami: me('search', 'payments') }).catch((e: unknown) => e) as InputError;
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toContain('payments, search');
    expect(error.message).toContain('--team');
    expect(error.issues[0]?.path).toBe('--team');
  });

  it('says so when the user is in no team', async () => {
    await expect(resolveTeam({ whoami: me() })).rejects.toThrow(/not a member of any team/);
  });
});
