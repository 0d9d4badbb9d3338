import { randomUUID } from 'node:crypto';
import { ConflictError, type TeamRole, type User } from '@paved/model';
import type { StoreContext } from '../context.js';
import type { MembershipSync, PendingLogin, SignInIdentity } from '../types.js';
import { toUser } from '../rows.js';

/**
 * Sign-in with an identity provider: which IdP subject each user is, the memberships a sign-in
 * derives from the IdP's groups (source 'oidc', beside the ones set in Paved, source 'local'),
 * and the logins under way.
 */
export function signInRepo(ctx: StoreContext) {
  const { adapter, db } = ctx;

  return {
    async findUserByIdentity(identity: SignInIdentity): Promise<User | undefined> {
      const row = await db
        .selectFrom('user_identities')
        .innerJoin('users', 'users.id', 'user_identities.user_id')
        .selectAll('users')
        .where('user_identities.issuer', '=', identity.issuer)
        .where('user_identities.subject', '=', identity.subject)
        .executeTakeFirst();
      return row && toUser(row);
    },

    async getIdentity(userId: string): Promise<SignInIdentity | undefined> {
      const row = await db.selectFrom('user_identities').select(['issuer', 'subject']).where('user_id', '=', userId).executeTakeFirst();
      return row && { issuer: row.issuer, subject: row.subject };
    },

    /** A new user signed in by `identity`, both rows or neither. */
    async createLinkedUser(input: { name: string; admin: boolean; identity: SignInIdentity }): Promise<User> {
      const user: User = { id: randomUUID(), name: input.name, admin: input.admin, disabled: false, createdAt: ctx.iso() };
      await adapter.transaction(async (trx) => {
        await trx.insertInto('users').values({ id: user.id, name: user.name, admin: user.admin ? 1 : 0, created_at: user.createdAt }).execute();
        await trx.insertInto('user_identities').values({ user_id: user.id, issuer: input.identity.issuer, subject: input.identity.subject, created_at: user.createdAt }).execute();
      }).catch((error: unknown) => {
        if (!adapter.isUniqueViolation(error)) throw error;
        throw new ConflictError(`A user named ${input.name} already exists, or this sign-in is already linked to a user.`, {
          code: 'user_exists', issues: [{ path: 'name', message: 'is already taken' }], cause: error,
        });
      });
      return user;
    },

    /** Links an existing user to an IdP subject; ConflictError when either is linked already. */
    async linkIdentity(userId: string, identity: SignInIdentity): Promise<void> {
      await db
        .insertInto('user_identities')
        .values({ user_id: userId, issuer: identity.issuer, subject: identity.subject, created_at: ctx.iso() })
        .execute()
        .catch((error: unknown) => {
          if (!adapter.isUniqueViolation(error)) throw error;
          throw new ConflictError('This user, or this identity provider subject, is linked already.', {
            code: 'identity_linked', issues: [{ path: 'subject', message: 'is linked already' }], cause: error,
          });
        });
    },

    /**
     * Makes the user's IdP-derived memberships exactly `desired`, in one transaction: adds and
     * changes those, removes the IdP-derived ones no longer wanted, and never touches a
     * membership set in Paved (`local`), even for a team the IdP also names.
     */
    async syncMemberships(userId: string, desired: readonly { teamId: string; role: TeamRole }[]): Promise<MembershipSync> {
      return adapter.transaction(async (trx) => {
        const current = await trx
          .selectFrom('memberships')
          .innerJoin('teams', 'teams.id', 'memberships.team_id')
          .select(['memberships.team_id', 'teams.name', 'memberships.role', 'memberships.source'])
          .where('memberships.user_id', '=', userId)
          .execute();
        const byTeam = new Map(current.map((row) => [row.team_id, row]));
        const wanted = new Map(desired.map((d) => [d.teamId, d.role]));
        const sync: MembershipSync = { added: [], changed: [], removed: [], keptLocal: [] };
        for (const row of current) {
          if (row.source !== 'oidc' || wanted.has(row.team_id)) continue;
          await trx.deleteFrom('memberships').where('team_id', '=', row.team_id).where('user_id', '=', userId).execute();
          sync.removed.push({ teamId: row.team_id, teamName: row.name, role: row.role as TeamRole });
        }
        const names = new Map((await trx.selectFrom('teams').select(['id', 'name']).where('id', 'in', [...wanted.keys(), '']).execute()).map((t) => [t.id, t.name]));
        for (const [teamId, role] of wanted) {
          const teamName = names.get(teamId);
          if (teamName === undefined) continue; // deleted since it was looked up: nothing to join
          const row = byTeam.get(teamId);
          if (row === undefined) {
            await trx.insertInto('memberships').values({ team_id: teamId, user_id: userId, role, source: 'oidc' }).execute();
            sync.added.push({ teamId, teamName, role });
          } else if (row.source !== 'oidc') {
            sync.keptLocal.push({ teamId, teamName, role: row.role as TeamRole });
          } else if (row.role !== role) {
            await trx.updateTable('memberships').set({ role }).where('team_id', '=', teamId).where('user_id', '=', userId).execute();
            sync.changed.push({ teamId, teamName, role });
          }
        }
        return sync;
      });
    },

    /** Sets a user's admin flag (from the IdP's admin group); undefined when there is no such user. */
    async setUserAdmin(userId: string, admin: boolean): Promise<User | undefined> {
      await db.updateTable('users').set({ admin: admin ? 1 : 0 }).where('id', '=', userId).execute();
      const row = await db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
      return row && toUser(row);
    },

    /** Deletes the user's tokens of `source` that expired before `before` (ISO); returns how many. */
    async deleteExpiredTokens(userId: string, source: 'api' | 'oidc', before: string): Promise<number> {
      const result = await db.deleteFrom('tokens').where('user_id', '=', userId).where('source', '=', source).where('expires_at', '<=', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    /** Records a login under way; also drops every login that has expired by then. */
    async putLogin(login: PendingLogin): Promise<void> {
      await db.deleteFrom('oidc_logins').where('expires_at', '<=', ctx.now()).execute();
      await db.insertInto('oidc_logins').values({ id: login.id, kind: login.kind, data: JSON.stringify(login.data), expires_at: login.expiresAt }).execute();
    },

    /** A login under way of `kind`, unexpired, without consuming it. */
    async getLogin(id: string, kind: string): Promise<PendingLogin | undefined> {
      const row = await db.selectFrom('oidc_logins').selectAll().where('id', '=', id).where('kind', '=', kind).where('expires_at', '>', ctx.now()).executeTakeFirst();
      return row && { id: row.id, kind: row.kind, data: JSON.parse(row.data), expiresAt: row.expires_at };
    },

    async updateLogin(id: string, data: Record<string, unknown>): Promise<void> {
      await db.updateTable('oidc_logins').set({ data: JSON.stringify(data) }).where('id', '=', id).execute();
    },

    /**
     * Consumes a login: deletes it and returns it if it was there, of `kind` and unexpired. Of
     * two callers with the same handle only one gets it (single use). An expired one is deleted
     * and not returned.
     */
    async takeLogin(id: string, kind: string): Promise<PendingLogin | undefined> {
      const row = await db.deleteFrom('oidc_logins').where('id', '=', id).where('kind', '=', kind).returningAll().executeTakeFirst();
      if (!row || row.expires_at <= ctx.now()) return undefined;
      return { id: row.id, kind: row.kind, data: JSON.parse(row.data), expiresAt: row.expires_at };
    },
  };
}
