import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { COMMAND_TABLE } from './command-table.js';

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
