import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConflictError, manifestDigest, parseProductManifestsFromText, type User } from '@paved/model';
import type { Store } from '@paved/store';
import { hashToken, issueToken, type AuditLog } from '@paved/server';

export const ADMIN_USER = 'admin';
export const PLATFORM_TEAM = 'platform';

/**
 * First-start set-up for `paved up`, idempotent on every later start: the platform admin, the
 * platform team that owns the built-in products, the built-in products themselves, and an
 * admin token for the local CLI (the saved one when it still works).
 */
export async function bootstrap(options: {
  store: Store;
  /** Where the admin tokens it issues and revokes are recorded, as the platform's own actions. */
  audit: AuditLog;
  productsDir: string;
  adminToken?: string | undefined;
  onProgress?: (line: string) => void;
}): Promise<string> {
  const { store } = options;
  const progress = options.onProgress ?? (() => {});
  let admin = await store.getUser({ name: ADMIN_USER });
  if (!admin) {
    admin = await store.createUser({ name: ADMIN_USER, admin: true });
    await store.appendEvent({ kind: 'user.created', actor: 'paved', data: { user: ADMIN_USER, admin: true } });
    progress(`created the platform admin "${ADMIN_USER}"`);
  }
  let team = await store.getTeam({ name: PLATFORM_TEAM });
  if (!team) {
    team = await store.createTeam({ name: PLATFORM_TEAM, title: 'Platform team', platform: true });
    await store.setMembership({ teamId: team.id, userId: admin.id, role: 'owner' });
    await store.appendEvent({ kind: 'team.created', teamId: team.id, actor: ADMIN_USER, data: { team: PLATFORM_TEAM } });
  }
  await publishBuiltInProducts(store, options.productsDir, progress);

  return adminTokenFor(store, options.audit, admin, options.adminToken);
}

/** The token `paved up` signs the CLI in with; at most one is live at a time. */
const UP_TOKEN_NAME = 'paved-up';

/**
 * Reuses the CLI's saved admin token while it still works; otherwise revokes the tokens earlier
 * starts issued under the same name and issues one new one (audited like any other).
 */
async function adminTokenFor(store: Store, audit: AuditLog, admin: User, saved: string | undefined): Promise<string> {
  if (saved) {
    const found = await store.findPrincipalByTokenHash(hashToken(saved));
    const live = found?.user.id === admin.id && !found.user.disabled && (found.token.expiresAt === undefined || Date.parse(found.token.expiresAt) > Date.now());
    if (live) return saved;
  }
  for (const token of await store.listTokens(admin.id)) {
    if (token.name !== UP_TOKEN_NAME) continue;
    await audit.record({ action: 'token.revoke', actor: 'paved', target: { user: admin.name, token: token.id } });
    await store.deleteToken(admin.id, token.id);
  }
  return (await issueToken({ store, audit, now: Date.now }, admin, { name: UP_TOKEN_NAME }, 'paved')).token;
}

async function publishBuiltInProducts(store: Store, dir: string, progress: (line: string) => void): Promise<void> {
  const files = (await readdir(dir)).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
  for (const file of files) {
    const path = join(dir, file);
    for (const manifest of parseProductManifestsFromText(await readFile(path, 'utf8'), path)) {
      const version = { name: manifest.metadata.name, version: manifest.spec.version, manifest, digest: manifestDigest(manifest) };
      if (!(await store.getTeam({ name: manifest.metadata.owner }))) {
        progress(`skipped ${version.name}@${version.version}: ${file} names owner team "${manifest.metadata.owner}", which does not exist`);
        continue;
      }
      try {
        const result = await store.publishProductVersion(version);
        if (result === 'created') {
          await store.appendEvent({ kind: 'product.published', actor: 'paved', data: { product: version.name, version: version.version } });
          progress(`published product ${version.name}@${version.version}`);
        }
      } catch (error) {
        // A built-in manifest edited without a version bump (or moved to another owner by an
        // admin): keep what is published, say why.
        if (error instanceof ConflictError && error.code === 'product_owner_conflict') progress(`kept ${version.name}: ${error.message}`);
        else if (error instanceof ConflictError) progress(`kept ${version.name}@${version.version}: ${file} changed without a new spec.version`);
        else throw error;
      }
    }
  }
}
