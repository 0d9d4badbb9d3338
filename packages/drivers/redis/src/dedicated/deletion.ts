/**
 * The rungs that remove a dedicated server, in order: the process (killed: its data is deleted
 * next, so nothing needs saving), its folder with every file and all data, then its port
 * claim, last, so the port cannot go to another instance while anything of this one is left.
 */
import { rm, stat } from 'node:fs/promises';
import type { DriverContext } from '@paved/driver-api';
import { assertExternalName } from '../acl-rules.js';
import { filesOf, releasePort } from './layout.js';
import { stopServer } from './process.js';
import { readServersConfig } from './servers-config.js';

export async function stopInstanceServer(ctx: DriverContext): Promise<void> {
  const files = filesOf(readServersConfig(ctx.target), assertExternalName(ctx.instance));
  // A server runs from its folder's config file: without the folder there is none to look for.
  if (!(await stat(files.dir).then(() => true, () => false))) return;
  await stopServer(files, 'SIGKILL', { scan: true });
}

export async function removeInstanceFiles(ctx: DriverContext): Promise<void> {
  const files = filesOf(readServersConfig(ctx.target), assertExternalName(ctx.instance));
  if (!(await stat(files.dir).then(() => true, () => false))) return;
  // Never delete a running server's files under it (a resumed ladder that skipped a rung).
  await stopServer(files, 'SIGKILL', { scan: true });
  await rm(files.dir, { recursive: true, force: true });
}

export async function releaseInstancePort(ctx: DriverContext): Promise<void> {
  await releasePort(readServersConfig(ctx.target), assertExternalName(ctx.instance));
}
