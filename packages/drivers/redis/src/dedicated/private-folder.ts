import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Makes `folder` (inside `root`, or `root` itself) and every missing folder between them private
 * to this account (0700), and root's missing parents with the umask's usual mode. A recursive
 * mkdir with a mode gives that mode to every folder it makes: a dataDir of /var/lib/paved/redis
 * on a new host made /var/lib/paved 0700, and the embedded PostgreSQL's server account, which
 * reaches its binaries through /var/lib/paved, could no longer start.
 */
export async function makePrivateFolder(root: string, folder = root): Promise<void> {
  await mkdir(dirname(root), { recursive: true });
  await mkdir(folder, { recursive: true, mode: 0o700 });
}
