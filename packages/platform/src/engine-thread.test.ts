import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createClient } from '@paved/client';
import { loadConfig } from './config.js';
import { startPaved } from './start-paved.js';

// Starts the built thread entry (dist/engine-thread-entry.js): build first (npm run build).
describe('the engine on a thread of its own (PAVED_ENGINE_THREAD=on)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'paved-engine-thread-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('provisions, deletes and counts its passes in the metrics of the process on SQLite, and stops with its thread', async () => {
    const config = loadConfig({
      PAVED_DATA_DIR: dir, PAVED_ENGINE_THREAD: 'on', PAVED_PORT: '0', PAVED_METRICS_PORT: '0', PAVED_EMBEDDED_POSTGRES: 'off', PAVED_LOG_LEVEL: 'silent',
    });
    expect(config.engineThread).toBe(true);
    const paved = await startPaved(config, { bootstrap: true });
    try {
      const client = createClient({ url: paved.url!, token: paved.adminToken! });
      await client.createTeam({ name: 'threads' });
      // Each create is claimed by the thread's engine (woken by the relayed commit) and each
      // status it records reaches the API's watch stream (relayed back).
      for (const name of ['key-1', 'key-2']) {
        await client.createInstance('threads', { name, product: 'secret' });
        const { instance, credentials } = await client.waitForCredentials('threads', name);
        expect(instance.status.phase).toBe('Ready');
        expect(credentials.values.value).toMatch(/.{16,}/);
      }
      await client.deleteInstance('threads', 'key-1');
      await client.watchInstance('threads', 'key-1', { onStatus() {} }).catch(() => {});
      expect((await client.listInstances('threads')).items.map((i) => i.name)).toEqual(['key-2']);
      const text = await (await fetch(paved.metricsUrl!)).text();
      expect(Number(/^paved_reconciles_total\{result="ready"[^}]*\} (\d+)$/m.exec(text)?.[1])).toBeGreaterThanOrEqual(2);
      expect(text).toMatch(/^paved_time_to_ready_seconds_count\{[^}]*product="secret"[^}]*\} 2$/m);
    } finally {
      await paved.stop();
    }
  });

  it('needs a database the thread can open too', () => {
    expect(() => loadConfig({ PAVED_DATA_DIR: dir, PAVED_DATABASE_URL: ':memory:', PAVED_ENGINE_THREAD: 'on' })).toThrow(/PAVED_ENGINE_THREAD/);
    expect(() => loadConfig({ PAVED_DATA_DIR: dir, PAVED_ENGINE_THREAD: 'yes' })).toThrow(/PAVED_ENGINE_THREAD/);
    expect(loadConfig({ PAVED_DATA_DIR: dir }).engineThread).toBe(false);
  });
});
