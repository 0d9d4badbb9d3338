import { credentialName, isCredentialName, requireSecret, type ApplyResult, type DriverContext } from '@paved/driver-api';
import type { ManagementApi, UserRecord } from './management-api.js';
import { HASHING_ALGORITHM, passwordMatches, rabbitPasswordHash } from './password-hash.js';
import { vhostName } from './names.js';
import { allOutputs } from './outputs.js';
import { limitsDiff, wantedLimits } from './limits.js';

/**
 * Create, update and rotate are the same walk for the current credential
 * (`credentialName(externalName, rotation)`): every step makes its object so whatever is there,
 * so a retry after a crash anywhere converges. The broker has no transaction across vhost, user
 * and permissions; a crash between steps leaves a vhost without a user, or a user without
 * rights, which the next run completes and the deletion ladder removes.
 */
export async function provision(api: ManagementApi, ctx: DriverContext): Promise<ApplyResult> {
  const externalName = ctx.instance.externalName;
  const vhost = vhostName(externalName);
  const user = credentialName(externalName, ctx.instance.rotation ?? 0);
  const password = requireSecret('rabbitmq', ctx, 'password');
  const limits = wantedLimits(ctx);

  const step = async (run: () => Promise<void>) => {
    // Between steps is where a crash (or a cancelled reconcile) may stop us.
    ctx.signal.throwIfAborted();
    await run();
  };

  // PUT is idempotent: 201 when created, 204 when it was there.
  let created = false;
  await step(async () => {
    created = await api.putVhost('ensure-vhost', vhost, `Paved instance ${ctx.instance.team}/${ctx.instance.name}`);
  });

  // The three reads the remaining steps decide on, in one parallel round trip (they do not
  // depend on each other, and a grant or limit changed meanwhile is caught by the next observe).
  // A vhost this call has just created needs none of them: it holds no grant but its creator's
  // (the admin's), its limits are set whole whatever they are (a broker's `default_limits`
  // included), and the user is written whatever it holds (a new vhost is a first create, or one
  // deleted behind Paved's back).
  const [actualLimits, found, grants] = await Promise.all([
    created ? undefined : api.getVhostLimits('apply-limits', vhost),
    created ? undefined : api.getUser('ensure-user', user),
    created ? [] : api.listVhostPermissions('restrict-access', vhost),
  ]);

  // The limits and the user at once: the user can open the vhost only once the next step grants
  // it, so the limits still hold from its first connection.
  await Promise.all([
    step(async () => {
      // Left alone when already right, so a repeated create changes nothing on the broker.
      if (actualLimits !== undefined && limitsDiff(vhost, actualLimits, limits).length === 0) return;
      const wanted = Object.fromEntries(Object.entries(limits).filter((entry): entry is [string, number] => entry[1] !== undefined));
      if (Object.keys(wanted).length === 0) await api.clearVhostLimits('apply-limits', vhost);
      else await api.setVhostLimits('apply-limits', vhost, wanted);
    }),
    step(async () => {
      // Only a salted hash is sent, never the password. Left alone when already right, so a
      // repeated create changes nothing on the broker.
      if (found && userIsCurrent(found, password)) return;
      await api.putUser('ensure-user', user, rabbitPasswordHash(password), HASHING_ALGORITHM);
    }),
  ]);

  await step(() => api.putPermissions('grant-permissions', vhost, user));

  await step(async () => {
    // The vhost is the tenant's whole boundary: nobody else may hold rights on it except the
    // admin (granted automatically when it created the vhost) and the resource's own logins.
    for (const grant of grants) {
      if (isForeign(api, externalName, grant.user)) await api.deletePermissions('restrict-access', vhost, grant.user);
    }
  });

  return { outputs: allOutputs(api.config, vhost, user, password) };
}

/** Whether `user` is neither the admin nor one of the resource's own logins. */
export function isForeign(api: ManagementApi, externalName: string, user: string): boolean {
  return user !== api.config.adminUser && !isCredentialName(externalName, user);
}

export function tagsOf(user: UserRecord): string[] {
  const tags = Array.isArray(user.tags) ? user.tags : user.tags.split(',');
  return tags.map((tag) => tag.trim()).filter((tag) => tag !== '');
}

function userIsCurrent(user: UserRecord, password: string): boolean {
  return tagsOf(user).length === 0 && user.hashing_algorithm === HASHING_ALGORITHM && passwordMatches(password, user.password_hash);
}
