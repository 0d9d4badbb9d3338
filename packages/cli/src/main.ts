#!/usr/bin/env node
import { statSync } from 'node:fs';

/**
 * The `paved` process starts here and runs run.ts: from dist/bundle/ (one file, made by
 * `npm run build`) when that is newer than the TypeScript builds it was made from, else from
 * the modules tsc wrote. Node 20 spends ≈ 0.5 ms on each ES module it loads, and the CLI's
 * commands reach ~160 of them; the bundle starts in about half the time (bench/README.md §9).
 * A `tsc -b` after the last bundle makes a tsbuildinfo newer than the bundle, so a stale bundle
 * is never run. No static import here beyond node:fs: each would load before this check.
 */
const bundle = new URL('./bundle/run.js', import.meta.url);
// The projects whose code the bundle holds; absent ones (an installed package) cannot be newer.
const builds = ['../tsconfig.tsbuildinfo', '../../model/tsconfig.tsbuildinfo', '../../client/tsconfig.tsbuildinfo'];
const mtime = (file: URL) => statSync(file, { throwIfNoEntry: false })?.mtimeMs;
const bundled = mtime(bundle);
const current = bundled !== undefined && builds.every((build) => (mtime(new URL(build, import.meta.url)) ?? 0) <= bundled);
await import(current ? bundle.href : './run.js');
