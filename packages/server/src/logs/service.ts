import { InputError, type LogLine, type LogPage, type LogQuery } from '@paved/model';
import type { LogStreamRef, Store } from '@paved/store';
import { serviceNotFound } from '../catalog/services/service.js';
import { findEnvironment } from '../catalog/environments/service.js';
import { validateLogLines } from './lines.js';
import { pruneExpiredLogs, type PruneResult } from './retention.js';
import { parseSince } from './since.js';
import { findTeam, type Principal } from '../access/principal.js';

/** Which stream, as the API names it. */
export interface LogStreamName {
  team: string;
  service: string;
  environment: string;
}

export interface LogService {
  append(principal: Principal, stream: LogStreamName, lines: readonly unknown[]): Promise<{ appended: number }>;
  list(principal: Principal, stream: LogStreamName, query: LogQuery): Promise<LogPage>;
  /**
   * Delivers the stream's lines (after `cursor`, or since `since`, or from now when neither is
   * given) as they arrive, until the returned stop function is called. Resolves once following.
   * A delivery that returns a promise is waited for before the next one.
   */
  follow(principal: Principal, stream: LogStreamName, query: Omit<LogQuery, 'limit'>, onLines: (lines: LogLine[]) => void | Promise<void>): Promise<() => void>;
  /**
   * Refuses, as `follow` would, a caller who may not follow the stream: an open follow asks
   * again before each delivery, since its token may have been revoked, or its user disabled or
   * removed from the team, while it was open.
   */
  mayFollow(principal: Principal, stream: LogStreamName): Promise<void>;
  /** Runs the retention job now (platform admins). */
  prune(principal: Principal): Promise<PruneResult>;
}

export interface LogServiceDeps {
  store: Store;
  now?: () => number;
  /**
   * How often a follower also reads the store. Lines appended by this process wake followers at
   * once; lines appended by another API process (several replicas on one PostgreSQL) are seen
   * by this poll. Default 500 ms.
   */
  followPollMs?: number;
}

function parseCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  if (!/^\d{1,15}$/.test(cursor)) {
    throw new InputError('cursor is not one that this listing returned', { code: 'cursor_invalid', issues: [{ path: 'cursor', message: 'must be a line seq returned by a listing' }] });
  }
  return Number(cursor);
}

export class DefaultLogService implements LogService {
  private readonly store: Store;
  private readonly now: () => number;
  private readonly pollMs: number;

  constructor(deps: LogServiceDeps) {
    this.store = deps.store;
    this.now = deps.now ?? Date.now;
    this.pollMs = deps.followPollMs ?? 500;
  }

  /** The stream's store key; NotFoundError naming `service` or `environment` when the catalog has no such one. */
  private async resolve(name: LogStreamName): Promise<LogStreamRef> {
    const team = await findTeam(this.store, name.team);
    if (!(await this.store.getService(team.id, name.service))) throw serviceNotFound(team.name, name.service);
    await findEnvironment(this.store, name.environment);
    return { teamId: team.id, service: name.service, environment: name.environment };
  }

  async append(_principal: Principal, name: LogStreamName, lines: readonly unknown[]): Promise<{ appended: number }> {
    const valid = validateLogLines(lines, this.now());
    const ref = await this.resolve(name);
    const { appended } = await this.store.appendLogLines({ ...ref, lines: valid });
    return { appended };
  }

  async list(_principal: Principal, name: LogStreamName, query: LogQuery): Promise<LogPage> {
    const sinceSeq = parseCursor(query.cursor);
    const sinceAt = query.since === undefined ? undefined : parseSince(query.since, this.now());
    const ref = await this.resolve(name);
    const page = await this.store.listLogLines({
      ...ref,
      ...(sinceSeq === undefined ? {} : { sinceSeq }),
      ...(sinceAt === undefined ? {} : { sinceAt }),
      ...(query.grep === undefined ? {} : { grep: query.grep }),
      ...(query.limit === undefined ? {} : { limit: query.limit }),
    });
    return page.nextSeq === undefined ? { items: page.items } : { items: page.items, nextCursor: String(page.nextSeq) };
  }

  async follow(_principal: Principal, name: LogStreamName, query: Omit<LogQuery, 'limit'>, onLines: (lines: LogLine[]) => void | Promise<void>): Promise<() => void> {
    const cursor = parseCursor(query.cursor);
    const sinceAt = query.since === undefined ? undefined : parseSince(query.since, this.now());
    const ref = await this.resolve(name);
    let after = cursor ?? (sinceAt === undefined ? await this.store.lastLogSeq(ref) : 0);
    let stopped = false;
    let running = false;
    let again = false;

    // One read at a time; a wake-up during a read asks for one more, so no append is missed.
    const drain = async (): Promise<void> => {
      if (running) {
        again = true;
        return;
      }
      running = true;
      try {
        do {
          again = false;
          for (;;) {
            if (stopped) return;
            const page = await this.store.listLogLines({
              ...ref, sinceSeq: after, limit: 1000,
              ...(sinceAt === undefined ? {} : { sinceAt }),
              ...(query.grep === undefined ? {} : { grep: query.grep }),
            });
            after = Math.max(after, page.readTo);
            if (page.items.length > 0 && !stopped) await onLines(page.items);
            if (page.nextSeq === undefined) break;
          }
        } while (again && !stopped);
      } catch {
        // A failed read (store restarting) is retried by the next poll.
      } finally {
        running = false;
      }
    };

    const off = this.store.onLogLines((appended) => {
      if (appended.teamId === ref.teamId && appended.service === ref.service && appended.environment === ref.environment) void drain();
    });
    const poll = setInterval(() => void drain(), this.pollMs);
    poll.unref();
    await drain();
    return () => {
      stopped = true;
      clearInterval(poll);
      off();
    };
  }

  /** Who may follow is the authorization's to say; the stream was found when the follow began. */
  async mayFollow(): Promise<void> {}

  prune(_principal: Principal): Promise<PruneResult> {
    return pruneExpiredLogs({ store: this.store, now: this.now() });
  }
}
