import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEST_ONLY, filesUnder, packageDirs, root } from './repository.js';

/**
 * The package boundaries, kept by a machine (docs/architecture.md#packages-and-their-boundaries):
 *
 *   model ← driver-api ← drivers/*          (drivers see the contract and the vocabulary only)
 *   model ← store ← secrets ← engine         (the engine knows drivers only through driver-api)
 *   model, driver-api, store, secrets ← server   (the HTTP API knows no concrete driver, no engine)
 *   everything ← platform                    (the one composition root)
 *   model ← client ← cli                     (the CLI loads @paved/platform lazily, for `up`/`server` only)
 *   model ← client ← portal                  (the web portal: the API only, through the client)
 *
 * Production code may import only the workspace packages its layer allows, and only ones its
 * package.json declares; every third-party import is declared too. Test-only modules never reach
 * a package's build, and production code never imports them.
 */

const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  model: [],
  'driver-api': ['model'],
  driver: ['driver-api', 'model'],
  store: ['model'],
  secrets: ['model', 'store'],
  engine: ['model', 'driver-api', 'store', 'secrets'],
  server: ['model', 'driver-api', 'store', 'secrets'],
  platform: ['model', 'driver-api', 'store', 'secrets', 'engine', 'server', 'driver'],
  client: ['model'],
  cli: ['model', 'client'],
  portal: ['model', 'client'],
};

/** The one import that crosses a layer on purpose: `paved up`/`paved server` load the platform on demand. */
const LAZY_EXCEPTIONS = [{ file: 'packages/cli/src/commands/server.ts', specifier: '@paved/platform' }];

interface Pkg {
  dir: string;
  name: string;
  layer: string;
  json: { dependencies?: Record<string, string>; devDependencies?: Record<string, string>; peerDependencies?: Record<string, string>; imports?: Record<string, unknown> };
  tsconfig: { exclude?: string[]; references?: { path: string }[] };
}

function packages(): Pkg[] {
  return packageDirs().map((dir) => {
    const json = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));
    const short = (json.name as string).replace('@paved/', '');
    return {
      dir,
      name: json.name,
      layer: short.startsWith('driver-') && short !== 'driver-api' ? 'driver' : short,
      json,
      tsconfig: JSON.parse(readFileSync(join(root, dir, 'tsconfig.json'), 'utf8')),
    };
  });
}

interface Import {
  specifier: string;
  dynamic: boolean;
}

function importsOf(text: string): Import[] {
  const found: Import[] = [];
  for (const match of text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'/gm)) found.push({ specifier: match[1]!, dynamic: false });
  for (const match of text.matchAll(/^\s*import\s+'([^']+)'/gm)) found.push({ specifier: match[1]!, dynamic: false });
  for (const match of text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)) found.push({ specifier: match[1]!, dynamic: true });
  return found;
}

/** `@paved/store/testing` → `@paved/store`; `pino/file` → `pino`; `@scope/x/y` → `@scope/x`. */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

const BUILTINS = new Set(builtinModules);
const isBuiltin = (specifier: string) => specifier.startsWith('node:') || BUILTINS.has(specifier);

/** A tsconfig `exclude` glob as a regular expression over paths relative to the package. */
function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*\//g, '\u0000').replace(/\*/g, '[^/]*').replace(/\u0000/g, '(?:.*/)?');
  return new RegExp(`^${escaped}$`);
}

describe('package boundaries', () => {
  const all = packages();
  const byName = new Map(all.map((p) => [p.name, p]));

  it('finds every package and gives each a layer', () => {
    expect(all.length).toBeGreaterThanOrEqual(19);
    for (const pkg of all) expect(ALLOWED[pkg.layer], `${pkg.name} has no layer in ALLOWED`).toBeDefined();
  });

  for (const pkg of all) {
    describe(pkg.name, () => {
      const files = filesUnder(join(root, pkg.dir, 'src'), /\.tsx?$/).map((path) => ({ path, rel: relative(root, path), text: readFileSync(path, 'utf8') }));
      const production = files.filter((f) => !TEST_ONLY.test(f.rel));
      const declared = { ...pkg.json.dependencies, ...pkg.json.peerDependencies };
      const declaredForTests = { ...declared, ...pkg.json.devDependencies };

      it('imports only the workspace packages its layer allows, each declared in package.json', () => {
        const problems: string[] = [];
        for (const file of production) {
          for (const { specifier, dynamic } of importsOf(file.text)) {
            if (!specifier.startsWith('@paved/')) continue;
            const target = byName.get(packageOf(specifier));
            if (!target) {
              problems.push(`${file.rel}: ${specifier} is not a workspace package`);
              continue;
            }
            if (dynamic && LAZY_EXCEPTIONS.some((e) => e.file === file.rel && e.specifier === specifier)) continue;
            if (!ALLOWED[pkg.layer]!.includes(target.layer)) problems.push(`${file.rel}: ${pkg.layer} may not depend on ${target.layer} (${specifier})`);
            if (!(target.name in declared)) problems.push(`${file.rel}: imports ${target.name}, which package.json does not declare`);
          }
        }
        expect(problems).toEqual([]);
      });

      it('declares every third-party package its production code imports', () => {
        const problems: string[] = [];
        for (const file of production) {
          for (const { specifier } of importsOf(file.text)) {
            if (specifier.startsWith('.') || specifier.startsWith('@paved/') || isBuiltin(specifier)) continue;
            // A subpath import (#name) is the package's own, mapped by package.json "imports".
            if (specifier.startsWith('#')) {
              if (!(specifier in (pkg.json.imports ?? {}))) problems.push(`${file.rel}: imports ${specifier}, which package.json "imports" does not map`);
              continue;
            }
            if (!(packageOf(specifier) in declared)) problems.push(`${file.rel}: imports ${packageOf(specifier)}, which package.json does not declare`);
          }
        }
        expect(problems).toEqual([]);
      });

      it('declares every workspace package its tests import', () => {
        const problems: string[] = [];
        for (const file of files.filter((f) => TEST_ONLY.test(f.rel))) {
          for (const { specifier } of importsOf(file.text)) {
            if (!specifier.startsWith('@paved/')) continue;
            const name = packageOf(specifier);
            if (name !== pkg.name && !(name in declaredForTests)) problems.push(`${file.rel}: imports ${name}, which package.json does not declare (devDependencies for tests)`);
          }
        }
        expect(problems).toEqual([]);
      });

      it('never reaches into another package by a relative path', () => {
        const problems: string[] = [];
        const own = join(root, pkg.dir);
        for (const file of files) {
          for (const { specifier } of importsOf(file.text)) {
            if (!specifier.startsWith('.')) continue;
            const resolved = join(file.path, '..', specifier);
            if (!resolved.startsWith(own + '/')) problems.push(`${file.rel}: ${specifier} leaves the package`);
          }
        }
        expect(problems).toEqual([]);
      });

      it('keeps test-only modules out of its build and out of production imports', () => {
        const excludes = (pkg.tsconfig.exclude ?? []).map(globToRegExp);
        const built = files.filter((f) => TEST_ONLY.test(f.rel)).map((f) => relative(join(root, pkg.dir), f.path)).filter((rel) => !excludes.some((re) => re.test(rel)));
        expect(built, 'test-only files that tsconfig.json does not exclude').toEqual([]);
        const problems: string[] = [];
        for (const file of production) {
          for (const { specifier } of importsOf(file.text)) {
            if (specifier.startsWith('.') && TEST_ONLY.test(join(file.path, '..', specifier).replace(/\.js$/, '.ts'))) problems.push(`${file.rel}: imports test-only ${specifier}`);
          }
        }
        expect(problems).toEqual([]);
      });

      it('builds after every workspace package it depends on (tsconfig references match package.json)', () => {
        const referenced = new Set((pkg.tsconfig.references ?? []).map((r) => byName.get(JSON.parse(readFileSync(join(root, pkg.dir, r.path, 'package.json'), 'utf8')).name)?.name));
        const needed = Object.keys(declared).filter((name) => byName.has(name));
        expect(needed.filter((name) => !referenced.has(name)), 'declared but not referenced').toEqual([]);
      });
    });
  }
});
