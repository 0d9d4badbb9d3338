import { randomUUID } from 'node:crypto';
import { ConflictError, NotFoundError, type Membership, type Team, type TeamRole, type User } from '@paved/model';
import type { NewToken, StoredPrincipal, StoredToken } from '../types.js';
import type { StoreContext } from '../context.js';
import { toTeam, toUser } from '../rows.js';
import { compiledRead } from '../compiled.js';

type IdOrName = { id: string } | { name: string };

/** Rows per multi-row insert: well under SQLite's 32,766 bound values a statement. */
const BULK_ROWS = 500;
// Read on every request (authentication, then the team named in the path): compiled once.
const teamById = compiledRead((db, id: string) => db.selectFrom('teams').selectAll().where('id', '=', id));
const teamByName = compiledRead((db, name: string) => db.selectFrom('teams').selectAll().where('name', '=', name));
const authEpochRow = compiledRead((db) => db.selectFrom('auth_epoch').select('epoch').where('id', '=', 1));
const principalByTokenHash = compiledRead((db, hash: string) => db
  .selectFrom('tokens')
  .innerJoin('users', 'users.id', 'tokens.user_id')
  .leftJoin('memberships', 'memberships.user_id', 'users.id')
  .leftJoin('teams', 'teams.id', 'memberships.team_id')
  .select([
    'users.id', 'users.name', 'users.admin', 'users.disabled', 'users.created_at',
    'tokens.id as token_id', 'tokens.name as token_name', 'tokens.created_at as token_created_at', 'tokens.expires_at',
    'tokens.read_only', 'tokens.team_id as token_team_id', 'tokens.user_id', 'tokens.source as token_source',
    'memberships.team_id', 'teams.name as team_name', 'teams.platform', 'memberships.role',
  ])
  .where('tokens.hash', '=', hash)
  .orderBy('teams.name'));

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
      const user: User = { id: randomUUID(), name: input.name, admin: input.admin, disabled: false, createdAt: ctx.iso() };
      await db
        .insertInto('users')
        .values({ id: user.id, name: user.name, admin: user.admin ? 1 : 0, created_at: user.createdAt })
        .execute()
        .catch(conflictOn('name', 'user_exists', `A user named ${input.name} already exists.`));
      return user;
    },

    async createUsers(inputs: readonly { name: string; admin: boolean }[]): Promise<User[]> {
      const at = ctx.iso();
      const users: User[] = inputs.map((input) => ({ id: randomUUID(), name: input.name, admin: input.admin, disabled: false, createdAt: at }));
      await adapter.transaction(async (trx) => {
        for (let i = 0; i < users.length; i += BULK_ROWS) {
          await trx.insertInto('users').values(users.slice(i, i + BULK_ROWS).map((u) => ({ id: u.id, name: u.name, admin: u.admin ? 1 : 0, created_at: u.createdAt }))).execute();
        }
      }).catch(conflictOn('name', 'user_exists', 'One of the users already exists; none was created.'));
      return users;
    },

    async getUser(key: IdOrName): Promise<User | undefined> {
      const query = db.selectFrom('users').selectAll();
      const row = await ('id' in key ? query.where('id', '=', key.id) : query.where('name', '=', key.name)).executeTakeFirst();
      return row && toUser(row);
    },

    async listUsers(): Promise<User[]> {
      return (await db.selectFrom('users').selectAll().orderBy('name').execute()).map(toUser);
    },

    async updateUser(id: string, change: { disabled?: boolean }): Promise<User | undefined> {
      if (change.disabled !== undefined) await db.updateTable('users').set({ disabled: change.disabled ? 1 : 0 }).where('id', '=', id).execute();
      const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toUser(row);
    },

    async createToken(input: NewToken): Promise<StoredToken> {
      const token: StoredToken = {
        id: randomUUID(),
        userId: input.userId,
        name: input.name,
        createdAt: ctx.iso(),
        readOnly: input.readOnly ?? false,
        source: input.source ?? 'api',
        ...(input.expiresAt === undefined ? {} : { expiresAt: input.expiresAt }),
        ...(input.teamId === undefined ? {} : { teamId: input.teamId }),
      };
      await db
        .insertInto('tokens')
        .values({
          id: token.id,
          user_id: token.userId,
          name: token.name,
          hash: input.hash,
          created_at: token.createdAt,
          expires_at: token.expiresAt ?? null,
          read_only: token.readOnly ? 1 : 0,
          team_id: token.teamId ?? null,
          source: token.source,
        })
        .execute()
        .catch((error: unknown) => {
          if (adapter.isForeignKeyViolation(error)) throw new NotFoundError('No such user or team.', { code: 'user_not_found', issues: [{ path: 'userId', message: 'does not exist' }] });
          // Never echo the hash: it identifies a credential.
          return conflictOn('token', 'token_exists', 'This token is already registered.')(error);
        });
      return token;
    },

    /** A user's tokens, oldest first (then by id); never their hashes. */
    async listTokens(userId: string): Promise<StoredToken[]> {
      const rows = await db
        .selectFrom('tokens')
        .select(['id', 'user_id', 'name', 'created_at', 'expires_at', 'read_only', 'team_id', 'source'])
        .where('user_id', '=', userId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toStoredToken);
    },

    /** Deletes a token of the user: it stops authenticating with the next request. */
    async deleteToken(userId: string, tokenId: string): Promise<boolean> {
      const result = await db.deleteFrom('tokens').where('user_id', '=', userId).where('id', '=', tokenId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    async findUserByTokenHash(hash: string): Promise<User | undefined> {
      const row = await db.selectFrom('tokens').innerJoin('users', 'users.id', 'tokens.user_id').selectAll('users').where('tokens.hash', '=', hash).executeTakeFirst();
      return row && toUser(row);
    },

    /**
     * The user behind a token hash, the token and the user's memberships (ordered like
     * listMemberships), in one query: every authenticated request needs all three. Expired
     * tokens and disabled users are returned as they are: the caller says which it was.
     */
    async findPrincipalByTokenHash(hash: string): Promise<StoredPrincipal | undefined> {
      const rows = await principalByTokenHash(db, hash);
      const first = rows[0];
      if (first === undefined) return undefined;
      const user = toUser(first);
      const memberships: Membership[] = [];
      const platformTeamIds: string[] = [];
      for (const r of rows) {
        if (r.team_id === null || r.team_name === null || r.role === null) continue;
        memberships.push({ teamId: r.team_id, teamName: r.team_name, userId: user.id, userName: user.name, role: r.role as TeamRole });
        if (Number(r.platform) === 1) platformTeamIds.push(r.team_id);
      }
      const token = toStoredToken({
        id: first.token_id, user_id: first.user_id, name: first.token_name, created_at: first.token_created_at,
        expires_at: first.expires_at, read_only: first.read_only, team_id: first.token_team_id, source: first.token_source,
      });
      return { user, memberships, platformTeamIds, token };
    },

    async createTeam(input: { name: string; title: string; platform?: boolean }): Promise<Team> {
      const team: Team = { id: randomUUID(), name: input.name, title: input.title, platform: input.platform ?? false, createdAt: ctx.iso() };
      await db
        .insertInto('teams')
        .values({ id: team.id, name: team.name, title: team.title, platform: team.platform ? 1 : 0, created_at: team.createdAt })
        .execute()
        .catch(conflictOn('name', 'team_exists', `A team named ${input.name} already exists.`));
      return team;
    },

    async createTeams(inputs: readonly { name: string; title: string; parent?: string }[]): Promise<Team[]> {
      const at = ctx.iso();
      const teams: Team[] = inputs.map((input) => ({
        id: randomUUID(), name: input.name, title: input.title, platform: false, ...(input.parent === undefined ? {} : { parent: input.parent }), createdAt: at,
      }));
      await adapter.transaction(async (trx) => {
        for (let i = 0; i < teams.length; i += BULK_ROWS) {
          await trx.insertInto('teams')
            .values(teams.slice(i, i + BULK_ROWS).map((t) => ({ id: t.id, name: t.name, title: t.title, platform: 0, parent: t.parent ?? null, created_at: t.createdAt })))
            .execute();
        }
      }).catch(conflictOn('name', 'team_exists', 'One of the teams already exists; none was created.'));
      return teams;
    },

    // Read by every request: while the database is unchanged (unchanged-reads.ts) the epoch is too,
    // and a revocation, by any process or by hand, is a change seen by the very next call.
    authEpoch(): Promise<number> {
      return ctx.unchanged('auth-epoch', async (counter) => {
        const known = counter === undefined ? undefined : adapter.authEpochAt?.(counter);
        if (known !== undefined) return known;
        const [row] = await authEpochRow(db);
        if (row === undefined) throw new Error('the auth_epoch row is missing (migration 0022)');
        return Number(row.epoch);
      });
    },

    keptAuthEpoch(): number | undefined {
      return ctx.unchanged.kept<number>('auth-epoch');
    },

    async getTeam(key: IdOrName): Promise<Team | undefined> {
      const [row] = 'id' in key ? await teamById(db, key.id) : await teamByName(db, key.name);
      return row && toTeam(row);
    },

    async updateTeam(id: string, change: { title?: string; platform?: boolean; parent?: string }): Promise<Team | undefined> {
      const set: { title?: string; platform?: number; parent?: string } = {};
      if (change.title !== undefined) set.title = change.title;
      if (change.parent !== undefined) set.parent = change.parent;
      if (change.platform !== undefined) set.platform = change.platform ? 1 : 0;
      if (Object.keys(set).length > 0) await db.updateTable('teams').set(set).where('id', '=', id).execute();
      const row = await db.selectFrom('teams').selectAll().where('id', '=', id).executeTakeFirst();
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
        // Set in Paved: a membership the IdP gave becomes this team's own (sign-in leaves it be).
        .values({ team_id: input.teamId, user_id: input.userId, role: input.role, source: 'local' })
        .onConflict((oc) => oc.columns(['team_id', 'user_id']).doUpdateSet({ role: input.role, source: 'local' }))
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

    async addMemberships(list: readonly { teamId: string; userId: string; role: TeamRole }[]): Promise<void> {
      await adapter.transaction(async (trx) => {
        for (let i = 0; i < list.length; i += BULK_ROWS) {
          await trx.insertInto('memberships')
            .values(list.slice(i, i + BULK_ROWS).map((m) => ({ team_id: m.teamId, user_id: m.userId, role: m.role, source: 'local' })))
            .onConflict((oc) => oc.columns(['team_id', 'user_id']).doNothing())
            .execute();
        }
      });
    },

    async removeMembership(teamId: string, userId: string): Promise<boolean> {
      const result = await db.deleteFrom('memberships').where('team_id', '=', teamId).where('user_id', '=', userId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
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

function toStoredToken(row: {
  id: string; user_id: string; name: string; created_at: string; expires_at: string | null; read_only: number | string; team_id: string | null; source: string;
}): StoredToken {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    createdAt: row.created_at,
    readOnly: Number(row.read_only) === 1,
    source: row.source === 'oidc' ? 'oidc' : 'api',
    ...(row.expires_at === null ? {} : { expiresAt: row.expires_at }),
    ...(row.team_id === null ? {} : { teamId: row.team_id }),
  };
}
