import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createColors } from './colors.js';
import { COMMAND_TABLE } from './command-table.js';
import { formatTable } from './output.js';

// Cells of every kind string-width tells apart: printable ASCII, wide (CJK), emoji, combining marks, ANSI codes.
const TABLE_ROWS = [['key-0', 'Ready'], ['数据库', 'wide'], ['🚀 launch', 'emoji ✅'], ['cafe\u0301', '\u001b[31mred\u001b[39m'], ['tab\there', '~!@#$%^&*()']];

// bin/paved.cjs, the `paved` users run: the bundle without Node's ES module loader when it is
// current and the command does not load the platform, else dist/main.js (see the bin's comments).
const bin = fileURLToPath(new URL('../bin/paved.cjs', import.meta.url));
const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const run = (file: string, args: string[], env: NodeJS.ProcessEnv = {}, nodeArgs: string[] = []) =>
  spawnSync(process.execPath, [...nodeArgs, file, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env } });

const temporary: string[] = [];
afterEach(() => {
  for (const dir of temporary.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A CLI package of stand-ins beside a copy of the bin: each path the bin can take prints its name. */
function fakePackage(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'paved-bin-'));
  temporary.push(root);
  const pkg = join(root, 'cli');
  mkdirSync(join(pkg, 'bin'), { recursive: true });
  cpSync(bin, join(pkg, 'bin', 'paved.cjs'));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(pkg, file, '..'), { recursive: true });
    writeFileSync(join(pkg, file), text);
  }
  return pkg;
}
const bundleStandIns = {
  'dist/main.js': "process.stdout.write('es module path\\n');",
  'dist/bundle/run.cjs': '',
  'dist/bundle/model-errors.cjs': '',
  'dist/bundle/loader.cjs': "exports.requireBundle = () => ({ runProcess: () => process.stdout.write('bundle\\n') });",
};

describe('bin/paved.cjs', () => {
  it('answers as dist/main.js does', () => {
    for (const args of [['--help'], ['--version'], ['get', 'key-0', '--team', 'bench'], ['nosuchcommand']]) {
      const env = { PAVED_URL: 'http://127.0.0.1:9', PAVED_TOKEN: 'x', PAVED_CLI_CONFIG: '/nonexistent/cli.json' };
      const [viaBin, viaMain] = [run(bin, args, env), run(main, args, env)];
      expect({ stdout: viaBin.stdout, stderr: viaBin.stderr, status: viaBin.status }).toEqual({ stdout: viaMain.stdout, stderr: viaMain.stderr, status: viaMain.status });
    }
  });

  it('runs a current bundle without loading Node\'s ES module loader', () => {
    const probe = join(mkdtempSync(join(tmpdir(), 'paved-bin-probe-')), 'probe.cjs');
    temporary.push(join(probe, '..'));
    writeFileSync(probe, "process.on('exit', () => process.stderr.write(process.moduleLoadList.filter((m) => m.includes('esm/translators')).join(',') || 'none'));");
    const result = run(bin, ['--version'], {}, ['--require', probe]);
    expect(result.stdout.trim()).toBe('0.1.0');
    expect(result.stderr).toBe('none');
  });

  it('sends `paved get` without loading what only other commands need', () => {
    // node:module (Node's ES module loader comes with it), fs/promises (readline, fs watchers with
    // it) and node:os: each ≈ 0.3–1 ms of every `paved get` (bench/README.md §9, round 5).
    const probe = join(mkdtempSync(join(tmpdir(), 'paved-bin-probe-')), 'probe.cjs');
    temporary.push(join(probe, '..'));
    writeFileSync(probe, "process.on('exit', () => process.stderr.write('\\nloaded: ' + process.moduleLoadList.filter((m) => /^NativeModule (module|fs\\/promises|os|internal\\/modules\\/esm\\/loader|_http_client)$/.test(m)).join(',')));");
    const env = { PAVED_URL: 'http://127.0.0.1:9', PAVED_TOKEN: 'x', PAVED_CLI_CONFIG: '/nonexistent/cli.json', HOME: '/nonexistent' };
    const result = run(bin, ['get', 'key-0', '--team', 'bench'], env, ['--require', probe]);
    expect(result.status).not.toBe(0); // nothing listens on port 9: the request was sent and failed
    expect(result.stderr.split('\nloaded: ').at(-1)).toBe('NativeModule _http_client');
  });

  it('measures plain text in tables as the bundled string-width does, by its length when it is printable ASCII', () => {
    // rolldown.config.mjs gives string-width a fast path for printable ASCII; the bundle's
    // formatTable must lay out every kind of cell as the unbundled one does.
    const bundle = join(main, '..', 'bundle');
    const shared = readdirSync(bundle).find((file) => /^shared-.*\.cjs$/.test(file))!;
    const probe = join(mkdtempSync(join(tmpdir(), 'paved-bin-probe-')), 'table.cjs');
    temporary.push(join(probe, '..'));
    writeFileSync(probe, `const { requireBundle } = require(${JSON.stringify(join(bundle, 'loader.cjs'))});
const errors = require(${JSON.stringify(join(bundle, 'model-errors.cjs'))});
const { formatTable } = requireBundle(${JSON.stringify(join(bundle, shared))}, { '@paved/model/errors': errors });
const colors = { bold: (s) => s, dim: (s) => s, red: (s) => s, green: (s) => s, yellow: (s) => s, cyan: (s) => s };
process.stdout.write(JSON.stringify(formatTable(['NAME', 'NOTE'], ${JSON.stringify(TABLE_ROWS)}, colors)));`);
    const bundled = JSON.parse(run(probe, [], { PAVED_CODE_CACHE_DIR: join(probe, '..', 'cache') }).stdout) as string;
    expect(bundled).toBe(formatTable(['NAME', 'NOTE'], TABLE_ROWS, createColors(false)));
  });

  it('leaves the commands that load the platform to dist/main.js, which shares the model\'s errors with it', () => {
    // The groups whose module loads the platform: by import, or through server.ts's loadRuntime.
    const src = fileURLToPath(new URL('.', import.meta.url));
    const loadsPlatform = /(from\s*|import\s*\(\s*)['"]@paved\/platform['"]|\bloadRuntime\(/;
    const modules = (readdirSync(src, { recursive: true }) as string[])
      .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts') && loadsPlatform.test(readFileSync(join(src, file), 'utf8')));
    const groups = modules.map((file) => /^commands[\\/](\w+)\.ts$/.exec(file)?.[1] ?? file);
    expect(groups.sort()).toEqual(['backup', 'keys', 'server']); // a module elsewhere would need the bin to know its commands
    const platformCommands = JSON.parse(/const PLATFORM_COMMANDS = (\[.*\]);/.exec(readFileSync(bin, 'utf8').replaceAll("'", '"'))![1]!) as string[];
    expect(platformCommands.sort()).toEqual(COMMAND_TABLE.filter((command) => groups.includes(command.group)).flatMap((command) => [command.name, ...command.aliases]).sort());
    const pkg = fakePackage(bundleStandIns);
    expect(run(join(pkg, 'bin', 'paved.cjs'), ['up']).stdout).toBe('es module path\n');
    expect(run(join(pkg, 'bin', 'paved.cjs'), ['--port', '1', 'server']).stdout).toBe('es module path\n');
    expect(run(join(pkg, 'bin', 'paved.cjs'), ['keys', 'status']).stdout).toBe('es module path\n');
    expect(run(join(pkg, 'bin', 'paved.cjs'), ['get', 'key-0']).stdout).toBe('bundle\n');
  });

  it('runs dist/main.js when a TypeScript build is newer than the bundle', () => {
    const pkg = fakePackage({ ...bundleStandIns, 'tsconfig.tsbuildinfo': '' });
    utimesSync(join(pkg, 'dist/bundle/run.cjs'), new Date(1_000_000), new Date(1_000_000));
    expect(run(join(pkg, 'bin', 'paved.cjs'), ['get', 'key-0']).stdout).toBe('es module path\n');
  });

  it('says the CLI is not built yet when dist/ is absent', () => {
    const result = run(join(fakePackage({}), 'bin', 'paved.cjs'), ['--help']);
    expect(result.status).toBe(70);
    expect(result.stderr).toContain('paved is not built yet');
  });
});
