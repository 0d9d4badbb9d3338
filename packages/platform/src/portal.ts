import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Where the built web portal is (@paved/portal's dist, made by `npm run build`); undefined
 * when it was not built, and Paved then serves the API alone. Found through the workspace's
 * link to the package, not a path relative to this file, so it works wherever npm put it. Not
 * a declared dependency: the platform imports no code of the portal's (a browser bundle), it
 * only hands the folder to the server.
 */
export function findPortalDir(): string | undefined {
  let packageJson: string;
  try {
    packageJson = createRequire(import.meta.url).resolve('@paved/portal/package.json');
  } catch {
    return undefined;
  }
  const dir = join(dirname(packageJson), 'dist');
  return existsSync(join(dir, 'index.html')) ? dir : undefined;
}
