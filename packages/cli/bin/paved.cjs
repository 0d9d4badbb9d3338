#!/usr/bin/env node
'use strict';
// The `paved` command. A committed file (not dist/) so npm can link it at install time, before
// the build has produced dist/. CommonJS, unlike the package's other modules: an ES module entry
// starts Node's ES module loader, ≈ 5 ms of every command (bench/README.md §9), which the bundle
// does not need. It does what dist/main.js (src/main.ts) does, without that loader: runs the
// bundle when it is current, through the bundle's loader built as CommonJS (dist/bundle/loader.cjs),
// and otherwise leaves everything to dist/main.js.
const { existsSync, statSync } = require('node:fs');
const { join } = require('node:path');

const dist = join(__dirname, '..', 'dist');

/**
 * The commands that load @paved/platform (src/commands/server.ts's loadRuntime: the groups server,
 * keys and backup; checked against command-table.ts by src/bin.test.ts). The platform imports
 * @paved/model's errors as an ES module and these commands tell its errors (a bad configuration)
 * from bugs with instanceof, so they run through dist/main.js, which shares that one module with
 * the bundle (rolldown.config.mjs). Any argument naming one is enough: `paved get up` only takes
 * the slower path.
 */
const PLATFORM_COMMANDS = ['up', 'server', 'keys', 'backup', 'restore'];

// As src/main.ts: the bundle, unless a TypeScript build of the projects it holds is newer (a
// `tsc -b` after the last `npm run build`); absent builds (an installed package) are not newer.
const mtime = (file) => statSync(file, { throwIfNoEntry: false })?.mtimeMs;
const bundle = join(dist, 'bundle', 'run.cjs');
const bundled = mtime(bundle);
const builds = [join(__dirname, '..', 'tsconfig.tsbuildinfo'), join(__dirname, '..', '..', 'model', 'tsconfig.tsbuildinfo'), join(__dirname, '..', '..', 'client', 'tsconfig.tsbuildinfo')];
const current = bundled !== undefined && builds.every((build) => (mtime(build) ?? 0) <= bundled);

if (current && !process.argv.slice(2).some((arg) => PLATFORM_COMMANDS.includes(arg))) {
  // No platform in this process: the bundle's own CommonJS copy of the model's errors (made with
  // the bundle from the same source) is the only one, so instanceof holds.
  const { requireBundle } = require(join(dist, 'bundle', 'loader.cjs'));
  requireBundle(bundle, { '@paved/model/errors': require(join(dist, 'bundle', 'model-errors.cjs')) }).runProcess();
} else if (existsSync(join(dist, 'main.js'))) {
  import(require('node:url').pathToFileURL(join(dist, 'main.js')).href);
} else {
  process.stderr.write('paved is not built yet: run `npm run build` (or `npm start`) in the repository first.\n');
  process.exit(70);
}
