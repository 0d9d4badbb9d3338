import { expect, it } from 'vitest';
import type { DeliveryFact } from '@paved/store';
import { eachStore, openAnother } from '@paved/store/testing';
import { DeliveryInbox } from './inbox.js';
import { DEFAULT_DELIVERY_SETTINGS, deliveryRules } from './settings.js';

/**
 * The inbox's drainer over a real store: a read settles every delivery accepted before it, also
 * those queued by another process, and a stopped drainer leaves the rest in the store for the
 * next one (a restart).
 */

const rules = deliveryRules(DEFAULT_DELIVERY_SETTINGS);
const repo = (n: number) => ({ host: 'github.com', path: `acme/r${n}`, name: `acme/r${n}`, defaultBranch: 'main' });
const deployment = (n: number): DeliveryFact => ({
  kind: 'deployment-status', repo: repo(n % 3), source: 'github', id: String(n), environment: 'production', sha: `s${n}`,
  state: 'success', at: Date.parse('2025-03-03T10:00:00Z') + n * 60_000, seq: n,
});

eachStore('the webhook inbox', (open) => {
  it('settles every delivery accepted before the read, from this process or another; a new drainer picks up what a stopped one left', async () => {
    const store = await open();
    const other = await openAnother(store);
    // Not started: nothing is applied in the background, so only settle() applies.
    const inbox = new DeliveryInbox({ store, rules, batch: 4, pollMs: 0 });
    for (let n = 0; n < 10; n++) expect(await (n % 2 === 0 ? store : other).queueDelivery({ source: 'github', deliveryId: `i-${n}`, event: 'deployment_status', facts: [deployment(n)] })).toBe('queued');
    expect((await store.deliveryInboxDepth()).waiting).toBe(10);
    await inbox.settle();
    expect(await store.deliveryInboxDepth()).toMatchObject({ waiting: 0, failed: 0 });
    expect((await store.countDeliveryEvents((await store.listDeliveryRepositories()).map((r) => r.id))).reduce((sum, c) => sum + c.deployments, 0)).toBe(10);

    // Queued, then the process stops before applying: the next one's drainer applies them once.
    for (let n = 10; n < 15; n++) await store.queueDelivery({ source: 'github', deliveryId: `i-${n}`, event: 'deployment_status', facts: [deployment(n)] });
    await inbox.stop();
    const next = new DeliveryInbox({ store: other, rules, pollMs: 0 });
    await next.settle();
    await next.stop();
    expect((await other.deliveryInboxDepth()).waiting).toBe(0);
    expect((await store.countDeliveryEvents((await store.listDeliveryRepositories()).map((r) => r.id))).reduce((sum, c) => sum + c.deployments, 0)).toBe(15);
  });
});
