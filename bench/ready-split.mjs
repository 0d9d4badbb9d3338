// Where an instance's time from request to credentials goes: shared by time-to-ready.mjs and
// time-to-ready-split.mjs. Segments, which add up to the total:
//   api      the request until its row is inserted (authentication, validation, policies, quota, insert)
//   queued   the row inserted until the engine claims it (instance.ready's queuedMs)
//   pass     the claim until Ready is recorded (timeToReadyMs − queuedMs), of which
//   checks   the contract checks with the issued credentials (instance.ready's checksMs)
//   reveal   Ready recorded until the credentials are in the client's hands (the stream's reveal and push)
// and, beside them, post = the create's round trip. Server and client share the machine's clock;
// createdAt has millisecond precision, so api and reveal are ±0.5 ms each.
import { median } from './lib.mjs';

const wallNow = () => performance.timeOrigin + performance.now();

/**
 * Creates the instance and waits for its credentials the way the client does; returns the
 * timings. `way`: 'one-request' (default), the create answers with its status stream, which
 * reveals the credentials with Ready (createAndWaitForCredentials; post is then the create until
 * its first status arrives); 'two-requests', the create, then waitForCredentials's watch stream
 * (what a server before that answer offers: a baseline build is measured this way, with no
 * failed first attempt).
 */
export async function createAndWait(client, team, request, way = 'one-request') {
  const t0 = wallNow();
  if (way === 'two-requests') {
    const created = await client.createInstance(team, request);
    const t1 = wallNow();
    const { credentials } = await client.waitForCredentials(team, request.name);
    const t2 = wallNow();
    return { id: created.id, createdAt: Date.parse(created.createdAt), phase: created.status.phase, t0, t1, t2, credentials };
  }
  let created;
  let t1;
  const { credentials } = await client.createAndWaitForCredentials(team, request, {
    way,
    onCreated(instance) {
      t1 = wallNow();
      created = instance;
    },
  });
  const t2 = wallNow();
  return { id: created.id, createdAt: Date.parse(created.createdAt), phase: created.status.phase, t0, t1, t2, credentials };
}

/** Medians of each segment over `timings` (from createAndWait), with the engine's instance.ready events of `team`. */
export async function splitMedians(client, team, timings) {
  const ready = new Map();
  for (let cursor; ;) {
    const page = await client.listEvents(team, { limit: 100, cursor });
    for (const e of page.items) if (e.kind === 'instance.ready') ready.set(e.instanceId, e.data);
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  const split = timings.map((r) => {
    const e = ready.get(r.id);
    return {
      total: r.t2 - r.t0, post: r.t1 - r.t0, api: r.createdAt - r.t0, queued: e.queuedMs, pass: e.timeToReadyMs - e.queuedMs, checks: e.checksMs,
      reveal: r.t2 - (r.createdAt + e.timeToReadyMs),
    };
  });
  return Object.fromEntries(Object.keys(split[0]).map((k) => [k, Number(median(split.map((s) => s[k])).toFixed(2))]));
}

export function describeSplit(m) {
  return `total ${m.total} ms = api ${m.api} + queued ${m.queued} + pass ${m.pass} (checks ${m.checks}) + reveal ${m.reveal}; post round trip ${m.post}`;
}
