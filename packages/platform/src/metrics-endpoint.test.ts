import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '@paved/model';
import { loadConfig } from './config.js';
import { startPaved } from './start-paved.js';

describe('Prometheus metrics of a Paved process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'paved-metrics-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a worker-only process, which has no API port, serves its own metrics on PAVED_METRICS_PORT', async () => {
    const config = loadConfig({
      PAVED_DATA_DIR: dir, PAVED_ROLE: 'worker', PAVED_METRICS_PORT: '0', PAVED_EMBEDDED_POSTGRES: 'off', PAVED_LOG_LEVEL: 'silent',
    });
    const paved = await startPaved(config);
    try {
      expect(paved.url).toBeUndefined();
      expect(paved.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      const text = await (await fetch(paved.metricsUrl!)).text();
      expect(text).toContain('# TYPE paved_reconciles_total counter');
      expect(text).toMatch(/^paved_queue_due_instances\{role="worker"\} 0$/m);
      expect(text).toMatch(/^paved_process_cpu_user_seconds_total\{role="worker"\} /m);
    } finally {
      await paved.stop();
    }
    await expect(fetch(paved.metricsUrl!)).rejects.toThrow();
  });

  it('serves none unless asked, and names a bad PAVED_METRICS_PORT', () => {
    expect(loadConfig({ PAVED_DATA_DIR: dir }).metrics).toBeUndefined();
    expect(loadConfig({ PAVED_DATA_DIR: dir, PAVED_HOST: '0.0.0.0', PAVED_METRICS_PORT: '9464' }).metrics).toEqual({ host: '0.0.0.0', port: 9464 });
    expect(loadConfig({ PAVED_DATA_DIR: dir, PAVED_METRICS_PORT: '9464', PAVED_METRICS_HOST: '10.0.0.5' }).metrics).toEqual({ host: '10.0.0.5', port: 9464 });
    expect(() => loadConfig({ PAVED_DATA_DIR: dir, PAVED_METRICS_PORT: 'ninety' })).toThrow(InputError);
    try {
      loadConfig({ PAVED_DATA_DIR: dir, PAVED_METRICS_PORT: 'ninety' });
    } catch (error) {
      expect((error as InputError).issues?.map((i) => i.path)).toEqual(['PAVED_METRICS_PORT']);
    }
  });
});
