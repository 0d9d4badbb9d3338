import { UnavailableError, type AuditEntry, type AuditOutcome } from '@paved/model';
import type { RequestOrigin } from '../http/request-context.js';
import type { AuditChain } from './chain.js';
import { scrub } from './summaries.js';

/**
 * What other capabilities call to record what a route's own record cannot say: a token issued
 * or revoked (with its id, scope and expiry), a sign-in. The request being served (its origin,
 * given by its route) supplies the source, the request id, the actor and their token; outside a
 * request (`paved up`) the actor is `paved` unless named.
 */
export interface AuditLog {
  /** Appends the record; throws when it cannot, and then the caller's action must fail too. */
  record(entry: AuditLogEntry, origin?: RequestOrigin): Promise<void>;
}

export interface AuditLogEntry {
  /** A domain verb: token.issue, token.revoke, signin. */
  action: string;
  /** Who acted, when it is not the caller of the request being served (a sign-in's user). */
  actor?: string;
  team?: string;
  target?: Record<string, string>;
  /** For an attempt that can fail (a refused sign-in); a fact (a token issued) has none. */
  outcome?: AuditOutcome;
  /** Never a secret: no token, password or credential. */
  summary?: Record<string, unknown>;
}

export function createAuditLog(chain: AuditChain): AuditLog {
  return {
    async record(entry, origin) {
      const principal = origin?.principal();
      const entryToAppend = scrub<Omit<AuditEntry, 'at'>>({
        stage: 'recorded',
        ...(origin ? { requestId: origin.requestId } : {}),
        actor: entry.actor ?? principal?.user.name ?? 'paved',
        ...(principal ? { tokenId: principal.token.id } : {}),
        action: entry.action,
        ...(entry.team === undefined ? {} : { team: entry.team }),
        ...(entry.target === undefined ? {} : { target: entry.target }),
        ...(entry.outcome === undefined ? {} : { outcome: entry.outcome }),
        ...(origin ? { source: origin.source } : {}),
        ...(entry.summary === undefined ? {} : { summary: entry.summary }),
      });
      try {
        await chain.append(entryToAppend);
      } catch (error) {
        throw new UnavailableError('The audit log cannot be written right now, so this was not done; try again shortly', { code: 'audit_unavailable', cause: error });
      }
    },
  };
}
