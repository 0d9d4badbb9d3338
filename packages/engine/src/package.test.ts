import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * The engine's package boundary, kept by a machine: production code imports only what
 * package.json declares as dependencies and never a test-only file; tests may also use the
 * devDependencies; and every test-only file is excluded from the build, so none reaches dist.
 */

const src = new URL('./', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
};
const tsconfig = JSON.parse(readFileSync(new URL('../tsconfig.json', import.meta.url), 'utf8')) as { exclude?: string[] };

const files = readdirSync(src).filter((file) => file.endsWith('.ts'));
const isTestOnly = (file: string) => file.endsWith('.test.ts') || file.startsWith('test-');

function importsOf(file: string): string[] {
  const text = readFileSync(new URL(file, src), 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((match) => match[1]!);
}

/** '@paved/store/testing' → '@paved/store'; 'vitest' → 'vitest'; relative and node: → undefined. */
function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('node:')) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** tsconfig's exclude globs ('src/**\/*.test.ts', 'src/test-*.ts') as regular expressions. */
function excluded(file: string): boolean {
  return (tsconfig.exclude ?? []).some((glob) => {
    const pattern = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*\//g, '(?:.*/)?').replace(/(?<!\.)\*/g, '[^/]*');
    return new RegExp(`^${pattern}$`).test(`src/${file}`);
  });
}

describe('@paved/engine package', () => {
  const dependencies = new Set(Object.keys(pkg.dependencies ?? {}));
  const devDependencies = new Set(Object.keys(pkg.devDependencies ?? {}));

  it('scans the sources it means to (production files and tests)', () => {
    expect(files).toEqual(expect.arrayContaining(['engine.ts', 'test-harness.ts', 'engine.test.ts']));
  });

  it('production code imports declared dependencies only, and no test-only file', () => {
    const problems = files.filter((file) => !isTestOnly(file)).flatMap((file) =>
      importsOf(file).flatMap((specifier) => {
        const name = packageOf(specifier);
        if (name === undefined) return isTestOnly(specifier.replace(/^\.\//, '').replace(/\.js$/, '.ts')) ? [`${file} imports ${specifier}`] : [];
        return dependencies.has(name) ? [] : [`${file} imports ${name}, which is not in dependencies`];
      }),
    );
    expect(problems).toEqual([]);
  });

  it('tests import declared dependencies or devDependencies only', () => {
    const problems = files.filter(isTestOnly).flatMap((file) =>
      importsOf(file).flatMap((specifier) => {
        const name = packageOf(specifier);
        return name === undefined || dependencies.has(name) || devDependencies.has(name) ? [] : [`${file} imports ${name}, which package.json does not declare`];
      }),
    );
    expect(problems).toEqual([]);
  });

  it('excludes every test-only file from the build, and nothing else', () => {
    expect(files.filter((file) => isTestOnly(file) !== excluded(file))).toEqual([]);
  });
});
