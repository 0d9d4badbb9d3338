#!/usr/bin/env node
// The `paved` command. A committed file (not dist/) so npm can link it at install time,
// before the TypeScript build has produced dist/.
import { existsSync } from 'node:fs';

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('paved is not built yet: run `npm run build` (or `npm start`) in the repository first.\n');
  process.exit(70);
}
await import(main.href);
