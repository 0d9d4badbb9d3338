import type { LogLine, LogPage, LogQuery } from '@paved/model';
import type { Store } from '@paved/store';
import type { LogService, LogStreamName } from './service.js';
import type { PruneResult } from './retention.js';
import { requireAdmin, teamFor, type Principal } from '../access/principal.js';

/**
 * Team members (and owners) ship lines; anyone in the team, viewers included, reads them;
 * platform admins do both and may run the retention job by hand.
 */
export class AuthorizedLogService implements LogService {
  constructor(private readonly inner: LogService, private readonly store: Store) {}

  async append(principal: Principal, stream: LogStreamName, lines: readonly unknown[]): Promise<{ appended: number }> {
    await teamFor(this.store, principal, stream.team, 'write');
    return this.inner.append(principal, stream, lines);
  }

  async list(principal: Principal, stream: LogStreamName, query: LogQuery): Promise<LogPage> {
    await teamFor(this.store, principal, stream.team, 'read');
    return this.inner.list(principal, stream, query);
  }

  async follow(principal: Principal, stream: LogStreamName, query: Omit<LogQuery, 'limit'>, onLines: (lines: LogLine[]) => void | Promise<void>): Promise<() => void> {
    await teamFor(this.store, principal, stream.team, 'read');
    return this.inner.follow(principal, stream, query, onLines);
  }

  async mayFollow(principal: Principal, stream: LogStreamName): Promise<void> {
    await teamFor(this.store, principal, stream.team, 'read');
    return this.inner.mayFollow(principal, stream);
  }

  prune(principal: Principal): Promise<PruneResult> {
    requireAdmin(principal, 'run log retention by hand');
    return this.inner.prune(principal);
  }
}
