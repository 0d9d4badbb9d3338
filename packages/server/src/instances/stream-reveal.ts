import type { FastifyRequest } from 'fastify';
import { ConflictError, type Credentials } from '@paved/model';
import type { OperationRecord, RecordOperation } from '../audit/recorder.js';
import type { Reauthenticate } from '../http/auth.js';
import { problemParts } from '../http/problems.js';
import { AuthEpochMoved, type InstanceService, type InstanceWatchEvent } from './service.js';
import type { Principal } from '../access/principal.js';

/** A refusal by the checks before anything is written (a 4xx, not the store or the server failing). */
const isRefusal = (error: unknown) => problemParts(error).status < 500;

/** What a watch stream with `?reveal=true` needs to reveal as the reveal route does. */
export interface StreamRevealDeps {
  instances: InstanceService;
  reauthenticate: Reauthenticate;
  record: RecordOperation;
}

/** The reveal a watch stream was asked for. */
export interface StreamReveal {
  /**
   * Wraps the stream's sender: the first Ready status is sent with the credentials. Events keep
   * their order: those after the Ready one wait for the reveal.
   */
  sender(deliver: (event: InstanceWatchEvent, credentials?: Credentials) => void, isOpen: () => boolean): (event: InstanceWatchEvent) => void;
  /** The stream could not start (`error`) or has ended: a reveal not made is recorded as refused. */
  ended(error?: unknown): Promise<void>;
}

/**
 * The watch stream's `?reveal=true` (docs/api.md): the first Ready status comes with a
 * `credentials` event, so that whoever waited for Ready has what it waited for without another
 * request. The reveal is the reveal route's: its audit records (`received` now, when the stream
 * is asked for, as the route records a request before serving it; `completed` with the
 * outcome), the caller's credential verified again when Ready (it may have been revoked while
 * the stream was open), the same permission check and `credentials.revealed` event (the
 * instance service). A reveal refused or failed at that moment sends no credentials; the Ready
 * status still comes, and the reveal route says why.
 */
export async function streamReveal(deps: StreamRevealDeps, request: FastifyRequest, team: string, instance: string): Promise<StreamReveal> {
  const record: OperationRecord = await deps.record(request, 'revealCredentials');
  let revealed = false;
  const revealAndDeliver = async (event: InstanceWatchEvent, deliver: (event: InstanceWatchEvent, credentials?: Credentials) => void) => {
    let credentials: Credentials | undefined;
    try {
      // The instance as the watch just read it for this status: not read again. The caller is.
      // With the credentials, still sealed, when the watch's re-read brought them along (follow.ts).
      const watched = event.type === 'status' ? event : undefined;
      const reveal = (principal: Principal, underAuthEpoch?: number) =>
        deps.instances.revealCredentials(principal, team, instance, watched?.instance, watched?.sealedCredentials, underAuthEpoch);
      // A bearer token's principal as kept under an auth epoch: the `credentials.revealed` append
      // confirms that epoch in its own statement (a revocation since moved it), one round trip for
      // the caller's verification and the event. Any refusal, or the epoch moved, and nothing was
      // appended: the caller is verified again, now, and the reveal made as always.
      const kept = deps.reauthenticate.underEpoch?.(request);
      credentials = kept === undefined ? undefined : await reveal(kept.principal, kept.epoch).catch((error: unknown) => {
        if (error instanceof AuthEpochMoved || isRefusal(error)) return undefined;
        throw error;
      });
      credentials ??= await reveal(await deps.reauthenticate(request));
    } catch (error) {
      request.log.warn({ code: problemParts(error).code }, 'credentials not revealed on the watch stream');
      // A refusal is off the fast path: its record is written before the Ready status goes out,
      // so whoever sees Ready without credentials finds why in the audit log already.
      await record.completed(error);
      return deliver(event);
    }
    deliver(event, credentials);
    await record.completed();
  };
  return {
    sender(deliver, isOpen) {
      let queue = Promise.resolve();
      return (event) => {
        queue = queue.then(async () => {
          if (revealed || event.type !== 'status' || event.instance.status.phase !== 'Ready' || !isOpen()) return deliver(event);
          revealed = true;
          await revealAndDeliver(event, deliver);
        });
      };
    },
    // A reveal under way records its own outcome.
    ended: async (error) => revealed ? undefined : record.completed(error ?? new ConflictError(`${team}/${instance}: the stream ended before Ready; nothing was revealed`, { code: 'not_ready' })),
  };
}
