import type { AuditExportLine, AuditKey, AuditQuery, AuditRecord, Page } from '@paved/model';
import type { Store } from '@paved/store';
import type { Principal } from '../access/principal.js';
import { parseSince } from '../logs/since.js';
import type { AuditChain } from './chain.js';

/** Reading the audit log: listing, export (JSON lines), and the public key that signs it. */
export interface AuditService {
  /** Newest first, one line per request (docs/audit.md); `team` narrows to one team's records. */
  list(principal: Principal, query: AuditQuery): Promise<Page<AuditRecord>>;
  /**
   * The log as export lines, oldest first: a header, the stored checkpoints, the records, and a
   * checkpoint of the head signed now. Resolves once the caller may read it, before the first line.
   */
  export(principal: Principal, request: AuditExportRequest): Promise<AsyncIterable<AuditExportLine>>;
  keys(principal: Principal): Promise<AuditKey[]>;
}

export interface AuditExportRequest {
  /** One team's records (team owners): each record can be checked, the chain between them cannot. */
  team?: string;
  /** Records after this seq only. */
  after?: number;
}

/** Records read per store query while exporting. */
const EXPORT_PAGE = 500;

export class DefaultAuditService implements AuditService {
  constructor(private readonly deps: { store: Store; chain: AuditChain; now: () => number }) {}

  list(_principal: Principal, query: AuditQuery): Promise<Page<AuditRecord>> {
    const now = this.deps.now();
    return this.deps.store.listAuditRecords({
      ...(query.since === undefined ? {} : { since: parseSince(query.since, now, 'since') }),
      ...(query.until === undefined ? {} : { until: parseSince(query.until, now, 'until') }),
      ...(query.actor === undefined ? {} : { actor: query.actor }),
      ...(query.action === undefined ? {} : { action: query.action }),
      ...(query.team === undefined ? {} : { teams: [query.team] }),
      ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
      ...(query.limit === undefined ? {} : { limit: query.limit }),
    });
  }

  async export(_principal: Principal, request: AuditExportRequest): Promise<AsyncIterable<AuditExportLine>> {
    const { store, chain, now } = this.deps;
    return (async function* lines(): AsyncGenerator<AuditExportLine> {
      yield {
        type: 'header', format: 'paved-audit', version: 1, exportedAt: new Date(now()).toISOString(),
        ...(request.after === undefined ? {} : { after: request.after }),
        ...(request.team === undefined ? {} : { team: request.team }),
      };
      // A one-team export leaves records out: checkpoints of the whole chain say nothing about it.
      if (request.team === undefined) {
        for (const checkpoint of await store.listAuditCheckpoints()) yield { type: 'checkpoint', ...checkpoint };
      }
      let after = request.after ?? 0;
      let last: AuditRecord | undefined;
      for (;;) {
        const records = await store.readAuditRecords({ afterSeq: after, limit: EXPORT_PAGE, ...(request.team === undefined ? {} : { team: request.team }) });
        for (const record of records) yield { type: 'record', ...record };
        last = records.at(-1) ?? last;
        if (!last || records.length < EXPORT_PAGE) break;
        after = last.seq;
      }
      // The last record exported, signed now (records appended meanwhile are not in this export):
      // keep the export, and a later `paved audit verify --checkpoint` shows if the log was cut back behind it.
      if (request.team === undefined && last) yield { type: 'checkpoint', ...chain.checkpointOf(last) };
    })();
  }

  async keys(): Promise<AuditKey[]> {
    return [this.deps.chain.key];
  }
}
