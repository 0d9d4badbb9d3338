import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { firstBlockingDirectory, SHARED_ROOT, type ServerAccount } from './server-account.js';

export interface ClusterPlace {
  dir: string;
  /** Set when the cluster is not in the data folder: why, for the one line `paved up` prints. */
  outsideDataFolderBecause?: string;
}

/** The fixed place of `dataDir`'s cluster: named by a hash of the data folder's path. */
export function sharedClusterDir(dataDir: string): string {
  return join(SHARED_ROOT, createHash('sha256').update(dataDir).digest('hex').slice(0, 12));
}

/**
 * The cluster lives in `<data>/postgres` whenever the server account can reach it: always when
 * not root (the account is ourselves). As root, the data folder is usually out of its reach
 * (Paved creates it 0700, and it may sit under /root), and opening it up would expose the
 * store and the master key, so the cluster goes to the fixed place instead. A cluster already
 * initialised in either place stays where it is.
 */
export async function clusterPlace(dataDir: string, account: ServerAccount | undefined): Promise<ClusterPlace> {
  const inDataFolder = join(dataDir, 'postgres');
  if (!account || existsSync(join(inDataFolder, 'PG_VERSION'))) return { dir: inDataFolder };
  const shared = sharedClusterDir(dataDir);
  const blocking = await firstBlockingDirectory(dataDir, account);
  if (!blocking) return existsSync(join(shared, 'PG_VERSION')) ? { dir: shared, outsideDataFolderBecause: 'it was created there by an earlier start' } : { dir: inDataFolder };
  return { dir: shared, outsideDataFolderBecause: `PostgreSQL runs as the ${account.name} account, which cannot enter ${blocking}` };
}
