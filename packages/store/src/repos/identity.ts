import { randomUUID } from 'node:crypto';
import { ConflictError, NotFoundError, type Membership, type Team, type TeamRole, type User } from '@paved/model';
import type { StoreContext } from '../context.js';
import { toTeam, toUser } from '../rows.js';

type IdOrName = { id: string } | { name: string };

/** Users, API tokens (by hash), teams and memberships. */
export function identityRepo(ctx: StoreContext) {
  const { adapter, db } = ctx;

  /** Turns a unique violation into a ConflictError naming the field; anything else passes through. */
  const conflictOn = (field: string, code: string, message: string) => (error: unknown): never => {
    if (adapter.isUniqueViolation(error)) throw new ConflictError(message, { code, issues: [{ path: field, message: 'is already taken' }], cause: error });
    throw error;
  };

  return {
    async createUser(input: { name: string; admin: boolean }): Promise<User> {
      const user: User = { id: randomUUID(), name: input.name, admin: input.admin, createdAt: ctx.iso() };
      await db
        .insertInto('users')
        .values({ id: user.id, name: user.name, admin: user.admin ? 1 : 0, created_at: user.createdAt })
        .execute()
        .catch(conflictOn('name', 'user_exists', `A user named ${input.name} already exists.`));
      return user;
    },

    async getUser(key: IdOrName): Promise<User | undefined> {
      const query = db.selectFrom('users').selectAll();
      const row = await ('id' in key ? query.where('id', '=', key.id) : query.where('name', '=', key.name)).executeTakeFirst();
      return row && toUser(row);
    },

    async listUsers(): Promise<User[]> {
      return (await db.selectFrom('users').selectAll().orderBy('name').execute()).map(toUser);
    },

    async createToken(input: { userId: string; name: string; hash: string }): Promise<{ id: string }> {
      const id = randomUUID();
      await db
        .insertInto('tokens')
        .values({ id, user_id: input.userId, name: input.name, hash: input.hash, created_at: ctx.iso() })
        .execute()
        .catch((error: unknown) => {
          if (adapter.isForeignKeyViolation(error)) throw new NotFoundError('No such user.', { code: 'user_not_found', issues: [{ path: 'userId', message: 'does not exist' }] });
          // Never echo the hash: it identifies a credential.
          return conflictOn('token', 'token_exists', 'This token is already registered.')(error);
        });
      return { id };
    },

    async findUserByTokenHash(hash: string): Promise<User | undefined> {
      const row = await db.selectFrom('tokens').innerJoin('users', 'users.id', 'tokens.user_id').selectAll('users').where('tokens.hash', '=', hash).executeTakeFirst();
      return row && toUser(row);
    },

    /**
     * The user behind a token hash and their memberships (ordered like listMemberships), in one
     * query: every authenticated request needs both.
     */
    async findPrincipalByTokenHash(hash: string): Promise<{ user: User; memberships: Membership[] } | undefined> {
      const rows = await db
        .selectFrom('tokens')
        .innerJoin('users', 'users.id', 'tokens.user_id')
        .leftJoin('memberships', 'memberships.user_id', 'users.id')
        .leftJoin('teams', 'teams.id', 'memberships.team_id')
        .select(['users.id', 'users.name', 'users.admin', 'users.created_at', 'memberships.team_id', 'teams.name as team_name', 'memberships.role'])
        .where('tokens.hash', '=', hash)
        .orderBy('teams.name')
        .execute();
      const first = rows[0];
      if (first === undefined) return undefined;
      const user = toUser(first);
      const memberships: Membership[] = [];
      for (const r of rows) {
        if (r.team_id === null || r.team_name === null || r.role === null) continue;
        memberships.push({ teamId: r.team_id, teamName: r.team_name, userId: user.id, userName: user.name, role: r.role as TeamRole });
      }
      return { user, memberships };
    },

    async createTeam(input: { name: string; title: string }): Promise<Team> {
      const team: Team = { id: randomUUID(), name: input.name, title: input.title, createdAt: ctx.iso() };
      await db
        .insertInto('teams')
        .values({ id: team.id, name: team.name, title: team.title, created_at: team.createdAt })
        .execute()
        .catch(conflictOn('name', 'team_exists', `A team named ${input.name} already exists.`));
      return team;
    },

    async getTeam(key: IdOrName): Promise<Team | undefined> {
      const query = db.selectFrom('teams').selectAll();
      const row = await ('id' in key ? query.where('id', '=', key.id) : query.where('name', '=', key.name)).executeTakeFirst();
      return row && toTeam(row);
    },

    async listTeams(filter: { userId?: string } = {}): Promise<Team[]> {
      let query = db.selectFrom('teams').selectAll('teams');
      if (filter.userId !== undefined) {
        query = query.innerJoin('memberships', 'memberships.team_id', 'teams.id').where('memberships.user_id', '=', filter.userId);
      }
      return (await query.orderBy('teams.name').execute()).map(toTeam);
    },

    async setMembership(input: { teamId: string; userId: string; role: TeamRole }): Promise<void> {
      await db
        .insertInto('memberships')
        .values({ team_id: input.teamId, user_id: input.userId, role: input.role })
        .onConflict((oc) => oc.columns(['team_id', 'user_id']).doUpdateSet({ role: input.role }))
        .execute()
        .catch((error: unknown) => {
          if (!adapter.isForeignKeyViolation(error)) throw error;
          throw new NotFoundError('No such team or user.', {
            code: 'not_found',
            issues: [{ path: 'teamId', message: 'team or user does not exist' }],
            cause: error,
          });
        });
    },

    async listMemberships(filter: { userId?: string; teamId?: string }): Promise<Membership[]> {
      let query = db
        .selectFrom('memberships')
        .innerJoin('teams', 'teams.id', 'memberships.team_id')
        .innerJoin('users', 'users.id', 'memberships.user_id')
        .select(['memberships.team_id', 'teams.name as team_name', 'memberships.user_id', 'users.name as user_name', 'memberships.role']);
      if (filter.userId !== undefined) query = query.where('memberships.user_id', '=', filter.userId);
      if (filter.teamId !== undefined) query = query.where('memberships.team_id', '=', filter.teamId);
      const rows = await query.orderBy('teams.name').orderBy('users.name').execute();
      return rows.map((r) => ({ teamId: r.team_id, teamName: r.team_name, userId: r.user_id, userName: r.user_name, role: r.role as TeamRole }));
    },
  };
}
