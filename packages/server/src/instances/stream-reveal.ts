import type { FastifyRequest } from 'fastify';
import type { Credentials } from '@paved/model';
import type { RecordedOperation } from '../audit/recorder.js';
import type { Reauthenticate } from '../http/auth.js';
import { problemParts } from '../http/problems.js';
import type { InstanceService, InstanceWatchEvent } from './service.js';

/** What a watch stream with `?reveal=true` needs to reveal as the reveal route does. */
export interface StreamRevealDeps {
  instances: InstanceService;
  reauthenticate: Reauthenticate;
  record: RecordedOperation;
}

/**
 * The watch stream's `?reveal=true` (docs/api.md): the first Ready status is preceded by a
 * `credentials` event, so that whoever waited for Ready has what it waited for without another
 * request. The reveal is the reveal route's: the caller's credential verified again (it may
 * have been revoked while the stream was open), the same permission check and
 * `credentials.revealed` event (the instance service), the same audit records
 * (`revealCredentials`). A reveal refused or failed at that moment sends no `credentials`; the
 * Ready status still comes, and the reveal route says why. Events keep their order: those after
 * the Ready one wait for the reveal.
 */
export function revealingOnReady(
  deps: StreamRevealDeps, request: FastifyRequest, team: string, instance: string,
  deliver: (event: InstanceWatchEvent, credentials?: Credentials) => void, isOpen: () => boolean,
): (event: InstanceWatchEvent) => void {
  let revealed = false;
  let queue = Promise.resolve();
  // Delivered inside the recorded operation, as a route's reply goes out before its `completed` record.
  const revealAndDeliver = async (event: InstanceWatchEvent) => {
    let delivered = false;
    try {
      await deps.record(request, 'revealCredentials', async () => {
        const principal = await deps.reauthenticate(request);
        deliver(event, await deps.instances.revealCredentials(principal, team, instance));
        delivered = true;
      });
    } catch (error) {
      request.log.warn({ code: problemParts(error).code }, 'credentials not revealed on the watch stream');
    }
    if (!delivered) deliver(event);
  };
  return (event) => {
    queue = queue.then(async () => {
      if (revealed || event.type !== 'status' || event.instance.status.phase !== 'Ready' || !isOpen()) return deliver(event);
      revealed = true;
      await revealAndDeliver(event);
    });
  };
}
