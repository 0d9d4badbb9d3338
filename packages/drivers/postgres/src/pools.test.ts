import { silentLogger } from '@paved/driver-api';
import { describe, expect, it } from 'vitest';
import { createPools } from './pools.js';
import { MACHINE_CONFIG, MACHINE_URL, postgresTarget, unreachable } from './test-support.js';

const skip = await unreachable(MACHINE_URL);
const skipHere = skip !== undefined && process.env.CI !== 'true';

describe.skipIf(skipHere)('admin pools on the machine server', () => {
  it('closing waits until every admin session has ended, so a server stopped next ends none of them', async () => {
    const pools = createPools({ maxConnections: 4, logger: silentLogger });
    const { pool } = pools.forTarget(postgresTarget('closing', MACHINE_URL, MACHINE_CONFIG));
    // Three sessions at once, then idle in the pool.
    await Promise.all([1, 2, 3].map(() => pool.query('SELECT pg_sleep(0.05)')));
    expect(pool.totalCount).toBe(3);
    let ended = 0;
    pool.on('remove', () => ended++);
    await pools.closeAll();
    // pg-pool's own end() resolves having only asked them to end (none removed yet).
    expect(ended).toBe(3);
  });
});
