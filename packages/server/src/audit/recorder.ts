import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { UnavailableError, type AuditEntry, type AuditOutcome, type AuditStage } from '@paved/model';
import { pathOf } from '../http/logging.js';
import { PROBLEM_CONTENT_TYPE, problemParts, toProblem } from '../http/problems.js';
import { sourceOf } from '../http/request-context.js';
import type { AuditChain } from './chain.js';
import { RefusalLimiter } from './refusal-limiter.js';
import { describeRequest, scrub } from './summaries.js';

/**
 * Records every API request that changes or reveals something (docs/audit.md "What is recorded"):
 *
 * - before it is served (preHandler, after authentication and validation), a `received` record:
 *   if that cannot be written the request is refused with 503 `audit_unavailable` and nothing
 *   is changed, so no change is ever made without its record (a RECEIVED_BESIDE route's handler
 *   starts beside the record and awaits it before its first change; its answer waits for it);
 * - when it is answered (onSend), a `completed` record with the outcome: allowed, or refused
 *   or failed with the status and the problem's code. Refusals before the handler (401, 400)
 *   have only this one; unauthenticated ones are kept to a few per address per minute.
 *
 * Reads are not recorded (a reveal is a POST), nor two kinds of machine traffic: log lines
 * shipped by `paved run`, and driver callbacks (signed by the driver, like the engine's work).
 * Webhook deliveries from GitHub and GitLab are delivery data, not changes a person made (and
 * two signed records each were the largest cost of ingesting them, bench/README.md §6): only
 * the ones refused are recorded, so a forged or unsigned delivery still leaves a trace.
 */
const UNAUDITED = new Set(['appendLogLines', 'driverCallback']);
const REFUSALS_ONLY = new Set(['githubWebhook', 'gitlabWebhook']);
const CHANGING_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const UNAUTHENTICATED_PER_MINUTE = 10;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The handler awaits the request's `received` record itself before it changes anything: see RECEIVED_BESIDE. */
    auditReceivedBeside?: boolean;
  }
}

/**
 * Route config of a request whose `received` record is written beside its handler's first
 * reads instead of before the handler starts (a create: the product, the usage and the
 * policies are read while the record's statement and commit are under way, bench/README.md §1).
 * The rule stays "nothing changed, nothing answered without the record": the handler awaits
 * receivedRecord(request) before its first change (and fails with it), and onSend holds the
 * answer until the record is written, answering 503 `audit_unavailable` instead if it was not.
 */
export const RECEIVED_BESIDE = { auditReceivedBeside: true } as const;

/** The `received` records being written beside their handlers (RECEIVED_BESIDE). */
const receivedBeside = new WeakMap<FastifyRequest, Promise<void>>();

/**
 * The request's `received` record: settled once written, or failed with UnavailableError
 * `audit_unavailable`. Already written for a route without RECEIVED_BESIDE (its preHandler
 * awaited it), so resolved.
 */
export function receivedRecord(request: FastifyRequest): Promise<void> {
  return receivedBeside.get(request) ?? Promise.resolve();
}

const auditUnavailable = () => new UnavailableError('The audit log cannot be written right now, so this request was not served; try again shortly', { code: 'audit_unavailable' });

export interface AuditRecorderOptions {
  chain: AuditChain;
  now: () => number;
}

export function recordRequests(app: FastifyInstance, { chain, now }: AuditRecorderOptions): void {
  const limiter = new RefusalLimiter(UNAUTHENTICATED_PER_MINUTE, now);

  // Callback hooks, not async ones: a read (most requests) passes both without a promise made for it.
  app.addHook('preHandler', (request, _reply, done) => {
    const operationId = auditedOperation(request);
    if (operationId === undefined || REFUSALS_ONLY.has(operationId)) {
      done();
      return;
    }
    const beside = request.routeOptions.config?.auditReceivedBeside === true;
    // Beside its handler, a signed-in request's record is flushed by a later commit on its path
    // (store/src/dialect/flushed-later.ts): the handler's first change is a synchronous commit
    // that waits for this one (a create's transaction), and an answer without a change waits
    // for the `completed` record (onSend below, never skipped for a principal), committed
    // synchronously. Lost in a PostgreSQL crash, it is as if Paved had stopped before writing it.
    const options = beside && request.principal !== undefined ? { flushedLater: true } : undefined;
    const written = chain.append(entryFor(request, operationId, 'received'), options).then(() => undefined, (error: unknown) => {
      request.log.error({ err: error }, 'audit record not written: request refused');
      throw auditUnavailable();
    });
    if (beside) {
      written.catch(() => {}); // awaited by the handler before any change, and by onSend
      receivedBeside.set(request, written);
      done();
      return;
    }
    written.then(() => done(), (error: Error) => done(error));
  });

  app.addHook('onSend', (request, reply, payload, done) => {
    const written = receivedBeside.get(request);
    if (written === undefined) {
      done(null, payload);
      return;
    }
    // Nothing is answered before the request's record is written; without it, 503, as when the
    // preHandler refuses (the handler changed nothing: it awaits the same record first).
    written.then(() => done(null, payload), (error: unknown) => {
      const parts = problemParts(error);
      reply.status(parts.status).type(PROBLEM_CONTENT_TYPE);
      done(null, JSON.stringify(toProblem(parts, pathOf(request.url))));
    });
  });

  app.addHook('onSend', (request, reply, payload, done) => {
    const operationId = auditedOperation(request);
    if (operationId === undefined) {
      done(null, payload);
      return;
    }
    const outcome = outcomeOf(reply, payload);
    if (outcome.result === 'allowed' && REFUSALS_ONLY.has(operationId)) {
      done(null, payload);
      return;
    }
    const extra: Record<string, unknown> = {};
    if (!request.principal) {
      const taken = limiter.take(request.ip);
      if (!taken.record) {
        done(null, payload);
        return;
      }
      if (taken.suppressed > 0) extra.suppressed = taken.suppressed;
    }
    chain.append(entryFor(request, operationId, 'completed', outcome, extra)).catch((error: unknown) => {
      // Too late to refuse: the request was served, and its `received` record stands.
      request.log.error({ err: error, status: outcome.status }, 'audit record of a completed request not written');
    }).then(() => done(null, payload), () => done(null, payload));
  });
}

/** An operation served inside another request, recorded `received`; `completed` records its outcome (once). */
export interface OperationRecord {
  /** Allowed without `error`; refused or failed, with its status and code, with one. */
  completed(error?: unknown): Promise<void>;
}

/** Starts the record of an operation served inside another request (see operationRecorder). */
export type RecordOperation = (request: FastifyRequest, operationId: string) => Promise<OperationRecord>;

/**
 * Records an operation served inside another request as its own route's request is recorded:
 * the credentials revealed on a watch stream's Ready event (docs/api.md) as a `revealCredentials`
 * request, with the same records under the stream's request id: `received` when it is asked
 * for (when that cannot be written, UnavailableError `audit_unavailable`: the caller must not
 * serve it), `completed` with the outcome once it is known, after the result went out (as a
 * route's reply goes out before its `completed` record).
 */
export function operationRecorder(chain: AuditChain): RecordOperation {
  return async (request, operationId) => {
    try {
      await chain.append(entryFor(request, operationId, 'received', undefined, within(request)));
    } catch (error) {
      request.log.error({ err: error }, 'audit record not written: operation not served');
      throw new UnavailableError('The audit log cannot be written right now, so this was not served; try again shortly', { code: 'audit_unavailable' });
    }
    let done = false;
    return {
      async completed(error) {
        if (done) return;
        done = true;
        const parts = error === undefined ? undefined : problemParts(error);
        const outcome: AuditOutcome = parts === undefined
          ? { result: 'allowed', status: 200 }
          : { result: parts.status < 500 ? 'refused' : 'failed', status: parts.status, code: parts.code };
        await chain.append(entryFor(request, operationId, 'completed', outcome, within(request))).catch((failure: unknown) => {
          request.log.error({ err: failure, status: outcome.status }, 'audit record of a completed operation not written');
        });
      },
    };
  };
}

/**
 * The `completed` record of a request answered with an event stream (a create with
 * `?wait=ready`): the reply is taken over, so the onSend hook never sees it. Written, as onSend
 * writes it, before the answer goes out; allowed, with the stream's status.
 */
export type RecordStreamed = (request: FastifyRequest, status: number) => Promise<void>;

export function streamedRecorder(chain: AuditChain): RecordStreamed {
  return async (request, status) => {
    const operationId = auditedOperation(request);
    if (operationId === undefined) return;
    await chain.append(entryFor(request, operationId, 'completed', { result: 'allowed', status })).catch((error: unknown) => {
      // Too late to refuse: the request was served, and its `received` record stands.
      request.log.error({ err: error, status }, 'audit record of a completed request not written');
    });
  };
}

/** Which request an operation was served within: its operationId, for whoever reads the record. */
function within(request: FastifyRequest): Record<string, unknown> {
  const operationId = (request.routeOptions.schema as { operationId?: string } | undefined)?.operationId;
  return operationId === undefined ? {} : { within: operationId };
}

/** The operationId of a request that is audited; undefined for reads, unknown routes and machine traffic. */
function auditedOperation(request: FastifyRequest): string | undefined {
  if (!CHANGING_METHODS.has(request.method) || request.routeOptions.url === undefined) return undefined;
  const operationId = (request.routeOptions.schema as { operationId?: string } | undefined)?.operationId;
  return operationId === undefined || UNAUDITED.has(operationId) ? undefined : operationId;
}

function entryFor(request: FastifyRequest, action: string, stage: AuditStage, outcome?: AuditOutcome, extra: Record<string, unknown> = {}): Omit<AuditEntry, 'at'> {
  const { principal } = request;
  // Scrubbed below, with the rest of the record.
  const described = describeRequest(action, request.params, request.body);
  const summary = { ...described.summary, ...extra };
  // Scrubbed whole: the user agent and path parameters come from outside too.
  return scrub({
    stage,
    requestId: request.id,
    actor: principal?.user.name ?? 'anonymous',
    ...(principal ? { tokenId: principal.token.id } : {}),
    action,
    ...(described.team === undefined ? {} : { team: described.team }),
    ...(described.target === undefined ? {} : { target: described.target }),
    ...(outcome === undefined ? {} : { outcome }),
    source: sourceOf(request),
    ...(Object.keys(summary).length > 0 ? { summary } : {}),
  });
}

function outcomeOf(reply: FastifyReply, payload: unknown): AuditOutcome {
  const status = reply.statusCode;
  const result = status < 400 ? 'allowed' : status < 500 ? 'refused' : 'failed';
  const code = status >= 400 ? problemCode(reply, payload) : undefined;
  return { result, status, ...(code === undefined ? {} : { code }) };
}

/** The `code` of a problem response (only problems are read; never a successful response's body). */
function problemCode(reply: FastifyReply, payload: unknown): string | undefined {
  const type = String(reply.getHeader('content-type') ?? '');
  if (!type.startsWith(PROBLEM_CONTENT_TYPE) || typeof payload !== 'string') return undefined;
  try {
    const code = (JSON.parse(payload) as { code?: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}
