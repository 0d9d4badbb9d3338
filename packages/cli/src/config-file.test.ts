import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InputError } from '@paved/model';
import { cliConfigPath, readCliConfig, writeCliConfig } from './config-file.js';

let dir: string | undefined;
afterEach(async () => { if (dir) await rm(dir, { recursive: true, force: true }); });

describe('CLI config file', () => {
  it('is found through PAVED_CLI_CONFIG, then XDG_CONFIG_HOME, then ~/.config', () => {
    expect(cliConfigPath({ PAVED_CLI_CONFIG: '/x/c.json', XDG_CONFIG_HOME: '/xdg' })).toBe('/x/c.json');
    expect(cliConfigPath({ XDG_CONFIG_HOME: '/xdg', HOME: '/home/a' })).toBe('/xdg/paved/config.json');
    expect(cliConfigPath({ HOME: '/home/a' })).toBe('/home/a/.config/paved/config.json');
  });

  it('is written with mode 0600 in a 0700 folder and read back', async () => {
    dir = await mkdtemp(join(tmpdir(), 'paved-cli-'));
    const path = join(dir, 'nested', 'config.json');
    await writeCliConfig(path, { url: 'http://h:1', token: 't', team: undefined });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'nested'))).mode & 0o777).toBe(0o700);
    expect(await readCliConfig(path)).toEqual({ url: 'http://h:1', token: 't' });
  });

  it('is empty when missing and an InputError naming the file when malformed', async () => {
    dir = await mkdtemp(join(tmpdir(), 'paved-cli-'));
    expect(await readCliConfig(join(dir, 'none.json'))).toEqual({});
    await writeFile(join(dir, 'bad.json'), '{oops');
    await expect(readCliConfig(join(dir, 'bad.json'))).rejects.toThrow(InputError);
  });
});
