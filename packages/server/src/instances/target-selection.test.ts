import { describe, expect, it } from 'vitest';
import { UnavailableError, exampleProductManifest } from '@paved/model';
import type { Target } from '@paved/driver-api';
import { selectTarget } from './target-selection.js';

const target = (name: string, driver: string, labels: Record<string, string>): Target => ({ name, driver, labels, config: {} });

describe('selectTarget', () => {
  const manifest = exampleProductManifest(); // driver postgres, selector { tier: shared }

  it('picks the first target of the driver that carries every selector label', () => {
    const targets = [
      target('redis-shared', 'redis', { tier: 'shared' }),
      target('pg-dedicated', 'postgres', { tier: 'dedicated' }),
      target('pg-shared-1', 'postgres', { tier: 'shared', region: 'eu' }),
      target('pg-shared-2', 'postgres', { tier: 'shared' }),
    ];
    expect(selectTarget(manifest, targets).name).toBe('pg-shared-1');
  });

  it('takes any target of the driver when the product has no selector', () => {
    const open = exampleProductManifest();
    delete open.spec.targets;
    expect(selectTarget(open, [target('a', 'redis', {}), target('b', 'postgres', { x: 'y' })]).name).toBe('b');
  });

  it('says which driver and labels have no target', () => {
    const attempt = () => selectTarget(manifest, [target('pg-dedicated', 'postgres', { tier: 'dedicated' })]);
    expect(attempt).toThrow(UnavailableError);
    expect(attempt).toThrow(/driver "postgres" with labels tier=shared/);
  });
});
