import type { HistoryEntry, InstanceHistory, PavedEvent, PolicyDecision } from '@paved/model';
import type { Store } from '@paved/store';
import type { Principal } from '../access/principal.js';
import type { InstanceService } from '../instances/service.js';

/** The most history one answer carries: older events are in `paved events` and the audit log. */
const MAX_EVENTS = 1000;

/**
 * Provenance (docs/policies.md#provenance): an instance's own events read as a history. Each
 * request's event holds who asked, through which interface, on which version and what the
 * policies decided; approvals and the engine's results are events too. Nothing new is
 * recorded here: this only reads.
 */
export class HistoryService {
  constructor(private readonly deps: { store: Store; instances: InstanceService }) {}

  async history(principal: Principal, team: string, name: string): Promise<InstanceHistory> {
    // The instance service checks the caller may read it (outsiders get "not found").
    const instance = await this.deps.instances.get(principal, team, name);
    const events: PavedEvent[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.deps.store.listEvents({ instanceId: instance.id, limit: 200, ...(cursor ? { cursor } : {}) });
      events.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor !== undefined && events.length < MAX_EVENTS);
    return { team: instance.teamName, instance: instance.name, product: instance.product, entries: events.slice(-MAX_EVENTS).map(entryOf) };
  }
}

function entryOf(event: PavedEvent): HistoryEntry {
  const data = event.data;
  const text = (key: string) => (typeof data[key] === 'string' ? (data[key] as string) : undefined);
  // An upgrade (or a rollout's move back) is a change to a version: the one it moved to.
  const moved = event.kind === 'instance.upgraded' || event.kind === 'instance.rolled-back' ? text('to') : undefined;
  const version = text('version') ?? text('productVersion') ?? moved;
  const outcome = outcomeOf(event);
  const entry: HistoryEntry = { at: event.at, event: event.kind };
  if (event.actor) entry.actor = event.actor;
  if (text('interface')) entry.interface = text('interface')!;
  if (version) entry.version = version;
  if (text('plan')) entry.plan = text('plan')!;
  if (Array.isArray(data.policies) && data.policies.every((p) => typeof p === 'object' && p !== null)) entry.policies = data.policies as PolicyDecision[];
  if (text('approvers')) entry.approvers = text('approvers')!;
  // A decision's why, approved or denied (docs/policies.md#provenance); other events' reasons
  // (a failure's, a hold's) are said by their outcome or not at all.
  if (text('reason') && (event.kind === 'instance.denied' || event.kind === 'instance.approved')) entry.reason = text('reason')!;
  if (outcome) entry.outcome = outcome;
  return entry;
}

function outcomeOf(event: PavedEvent): string | undefined {
  const message = typeof event.data.message === 'string' ? event.data.message : undefined;
  const reason = typeof event.data.reason === 'string' ? event.data.reason : undefined;
  switch (event.kind) {
    case 'instance.ready': return 'Ready';
    case 'instance.failed': return `Failed${reason ? ` (${reason})` : ''}${message ? `: ${message}` : ''}`;
    case 'instance.drifted': return `Drifted${message ? `: ${message}` : ''}`;
    case 'instance.repaired': return 'Repaired';
    case 'instance.deleted': return 'Deleted';
    default: return undefined;
  }
}
