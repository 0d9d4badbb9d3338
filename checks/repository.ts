import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** What the repository-wide checks read: the files as they are on disk, tracked or not. */

export const root = new URL('../', import.meta.url).pathname;

/** Files that exist for tests only: never built into dist, never imported by production code. */
export const TEST_ONLY = /(\.test\.ts|\.test-support\.ts|\/test-support\.ts|\/test-harness\.ts|\/test-fixtures\.ts|\/test-automation\.ts|\/testing\.ts)$/;

/** Folders no check looks into: dependencies, build output, version control. */
const SKIPPED = new Set(['node_modules', 'dist', '.git']);

/** Every file under `dir` (absolute) whose name matches `pattern`, skipping dependencies and build output. */
export function filesUnder(dir: string, pattern: RegExp): string[] {
  return readdirSync(dir).flatMap((entry) => {
    if (SKIPPED.has(entry)) return [];
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return filesUnder(path, pattern);
    return pattern.test(entry) ? [path] : [];
  });
}

/** The folder of every workspace package, relative to the root: `packages/x` and `packages/drivers/x`. */
export function packageDirs(): string[] {
  const under = (dir: string) => readdirSync(join(root, dir)).map((d) => `${dir}/${d}`).filter((d) => statSync(join(root, d, 'package.json'), { throwIfNoEntry: false }));
  return [...under('packages'), ...under('packages/drivers')];
}

/** Every package's production TypeScript (`src/`, test-only modules excluded), relative to the root. */
export function productionSources(): string[] {
  return packageDirs()
    .flatMap((dir) => filesUnder(join(root, dir, 'src'), /\.tsx?$/))
    .map((path) => relative(root, path))
    .filter((path) => !TEST_ONLY.test(path));
}

/** Every Markdown file of the repository, relative to the root. */
export function markdownFiles(): string[] {
  return filesUnder(root, /\.md$/).map((path) => relative(root, path));
}
