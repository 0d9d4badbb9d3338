import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createStore } from './create-store.js';
import { eachStore } from './testing.js';

eachStore('store: snapshot', (open) => {
  it('copies a SQLite store consistently while it is written; refuses on PostgreSQL', async () => {
    const store = await open();
    if (store.dialect === 'postgres') {
      await expect(store.snapshot('/tmp/never')).rejects.toMatchObject({ code: 'backup_unsupported_store', message: expect.stringContaining('pg_dump') });
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'paved-snapshot-'));
    try {
      for (let i = 0; i < 50; i++) await store.putSecret({ ownerId: `o${i}`, name: 'credentials', envelope: `e${i}`, keyId: 'k1' });
      // Writes carry on during the copy; the copy holds some prefix of them, never a torn row.
      const writing = (async () => {
        for (let i = 50; i < 100; i++) await store.putSecret({ ownerId: `o${i}`, name: 'credentials', envelope: `e${i}`, keyId: 'k1' });
      })();
      await store.snapshot(join(dir, 'copy.db'));
      await writing;
      const copy = await createStore({ url: join(dir, 'copy.db') });
      try {
        const counts = await copy.countSecretsByKey();
        expect(counts.k1).toBeGreaterThanOrEqual(50);
        expect((await copy.getSecret('o7', 'credentials'))?.envelope).toBe('e7');
      } finally {
        await copy.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
