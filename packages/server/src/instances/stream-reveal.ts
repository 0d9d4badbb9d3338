import type { FastifyRequest } from 'fastify';
import { ConflictError, type Credentials, type Instance } from '@paved/model';
import type { NewEvent, RideOutcome } from '@paved/store';
import type { OperationRecord, RecordOperation } from '../audit/recorder.js';
import type { Reauthenticate } from '../http/auth.js';
import { problemParts } from '../http/problems.js';
import { AuthEpochMoved, type InstanceService, type InstanceWatchEvent } from './service.js';
import type { Principal } from '../access/principal.js';

/** A ride withdrawn, or none made (the store has none): nothing to withdraw. */
const noWithdrawal = () => {};

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
  /*
   * The reveal riding on the Ready (Store.rideOnReady, PostgreSQL): once the `received` record
   * above is written and the instance is known not Ready, this process's Ready write of it asks,
   * as its statement is sent, for the `credentials.revealed` event, made then by the checks the
   * reveal below makes (the caller as kept under an auth epoch, the team kept under it, the role),
   * and appends it in that statement only while the epoch is still that one: one commit for the
   * Ready and the event. The Ready then reveals with no write of its own. Not asked (another
   * process's worker, a write that shares its commit), asked and not appended (the epoch moved,
   * the write's guard refused it), or failed: the reveal below, as always.
   */
  let withdraw: (() => void) | undefined;
  let asked: { event: NewEvent; outcome: Promise<RideOutcome> } | undefined;
  let settle: ((outcome: RideOutcome) => void) | undefined;
  const rideOn = (watched: Instance, isOpen: () => boolean) => {
    if (withdraw !== undefined) return;
    withdraw = deps.instances.rideOnReady?.(watched.id, {
      ask({ keys }) {
        const kept = isOpen() ? deps.reauthenticate.underEpoch?.(request) : undefined;
        const event = kept === undefined ? undefined : deps.instances.revealEventAtReady?.(kept.principal, team, watched, keys);
        if (kept === undefined || event === undefined) return undefined;
        asked = { event, outcome: new Promise((resolve) => (settle = resolve)) };
        return { event, authEpoch: kept.epoch };
      },
      settled: (outcome) => settle?.(outcome),
    }) ?? noWithdrawal;
  };
  /** The event the Ready's statement appended, if it did; no later write may ask after this. */
  const rode = async (): Promise<NewEvent | undefined> => {
    withdraw?.();
    withdraw = noWithdrawal;
    const ride = asked;
    return ride !== undefined && (await ride.outcome) === 'appended' ? ride.event : undefined;
  };
  const revealAndDeliver = async (event: InstanceWatchEvent, deliver: (event: InstanceWatchEvent, credentials?: Credentials) => void, recorded: NewEvent | undefined) => {
    let credentials: Credentials | undefined;
    try {
      // The instance as the watch just read it for this status: not read again. The caller is.
      // With the credentials, still sealed, when the watch's re-read brought them along (follow.ts).
      const watched = event.type === 'status' ? event : undefined;
      if (recorded !== undefined && watched !== undefined) {
        // Checked and recorded by the Ready's statement: opened, and nothing else.
        credentials = await deps.instances.revealRecorded!(team, watched.instance, watched.sealedCredentials, recorded);
      } else {
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
      }
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
        if (event.type === 'status' && event.instance.status.phase !== 'Ready' && !revealed) rideOn(event.instance, isOpen);
        queue = queue.then(async () => {
          if (revealed || event.type !== 'status' || event.instance.status.phase !== 'Ready') return deliver(event);
          // Recorded with the Ready: revealed to the stream, open or just closed, as a reveal whose append was under way.
          const recorded = await rode();
          if (recorded === undefined && !isOpen()) return deliver(event);
          revealed = true;
          await revealAndDeliver(event, deliver, recorded);
        });
      };
    },
    // A reveal under way records its own outcome; one the Ready's statement recorded is allowed.
    async ended(error) {
      if (revealed) return;
      if ((await rode()) !== undefined) return record.completed();
      return record.completed(error ?? new ConflictError(`${team}/${instance}: the stream ended before Ready; nothing was revealed`, { code: 'not_ready' }));
    },
  };
}
