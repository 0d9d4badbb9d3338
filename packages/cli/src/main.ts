#!/usr/bin/env node
import * as modelErrors from '@paved/model/errors';
import { requireBundle } from './bundle-loader.js';

// Not `import`ed: see code-cache.ts.
const { statSync } = process.getBuiltinModule('node:fs');
const { fileURLToPath } = process.getBuiltinModule('node:url');

/**
 * The ES module entry of `paved`: bin/paved.cjs, the command users run, comes here for the
 * commands that load the platform (up, server, keys, backup, restore: its PLATFORM_COMMANDS) and
 * when the bundle is not current (it checks as this module does). Runs run-process.ts from
 * dist/bundle/ (made by `npm run build`) when that is newer than the TypeScript builds it was
 * made from, else from the modules tsc wrote. Node 20 spends ≈ 0.5 ms on each ES module it loads, and the CLI's commands reach
 * ~160 of them; the bundle, CommonJS chunks compiled through V8's code cache (bundle-loader.ts),
 * starts in less than half the time (bench/README.md §9). A `tsc -b` after the last bundle makes
 * a tsbuildinfo newer than the bundle, so a stale bundle is never run. No static import here
 * beyond the bundle's loader and @paved/model's errors: each would load before this check.
 */
const bundle = fileURLToPath(new URL('./bundle/run.cjs', import.meta.url));
// The projects whose code the bundle holds; absent ones (an installed package) cannot be newer.
const builds = ['../tsconfig.tsbuildinfo', '../../model/tsconfig.tsbuildinfo', '../../client/tsconfig.tsbuildinfo'];
const mtime = (file: URL | string) => statSync(file, { throwIfNoEntry: false })?.mtimeMs;
const bundled = mtime(bundle);
const current = bundled !== undefined && builds.every((build) => (mtime(new URL(build, import.meta.url)) ?? 0) <= bundled);
if (current) {
  // The bundle keeps the model's errors the one ES module the platform imports too (see
  // rolldown.config.mjs); imported here with this module, not by require() from a chunk, which
  // took ≈ 3.5 ms more (Node's require of an ES module).
  await (requireBundle(bundle, { '@paved/model/errors': modelErrors }) as { runProcess(): Promise<void> }).runProcess();
} else {
  await import('./run.js');
}
