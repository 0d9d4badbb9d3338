import { useEffect, useState } from 'react';
import type { Page, Rollout, RolloutTarget } from '@paved/model';
import { Link } from 'wouter';
import { useSession } from '../app/session.js';
import { Loaded } from '../app/errors.js';
import { duration } from '../ui/badges.js';

/** Rollouts still moving are re-read every few seconds; finished ones do not change. */
const REFRESH_MS = 3000;
const MOVING = new Set(['Running', 'Paused', 'RollingBack']);
const TROUBLE = new Set(['failed', 'rollback-failed', 'rollback-unsupported', 'held', 'skipped']);

/** Every product's rollouts (docs/rollouts.md), newest first: waves, state, and the instances held or failed. Read-only. */
export default function Rollouts() {
  const { client } = useSession();
  const [rollouts, setRollouts] = useState<{ data?: Page<Rollout>; error?: unknown }>({});
  // Read on each visit (My team reads the list too, maybe before a rollout began), then again
  // every few seconds while a rollout still moves, so its waves and states stay current.
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const read = async () => {
      try {
        const data = await client.listRollouts({ limit: 100 });
        if (stopped) return;
        setRollouts({ data });
        if (data.items.some((r) => MOVING.has(r.state))) timer = setTimeout(() => void read(), REFRESH_MS);
      } catch (error) {
        if (!stopped) setRollouts({ error });
      }
    };
    void read();
    return () => { stopped = true; clearTimeout(timer); };
  }, [client]);
  return (
    <>
      <h1>Rollouts</h1>
      <p className="muted">Each rollout moves a product’s instances to a new version in health-gated waves: the canary first. Start, pause and resume them with <code>paved rollout</code>.</p>
      <Loaded data={rollouts.data?.items} error={rollouts.error} what="the rollouts">
        {(items) => items.length === 0 ? <p className="empty">No rollout has been started.</p> : (
          <ul className="rows" aria-label="Rollouts, newest first">{items.map((r) => <RolloutCard key={r.id} rollout={r} />)}</ul>
        )}
      </Loaded>
    </>
  );
}

function count(targets: RolloutTarget[], state: string): number {
  return targets.filter((t) => t.state === state).length;
}

function RolloutCard({ rollout }: { rollout: Rollout }) {
  const trouble = rollout.targets.filter((t) => TROUBLE.has(t.state));
  const waves = Array.from({ length: rollout.waves }, (_, w) => rollout.targets.filter((t) => t.wave === w));
  return (
    <li data-testid={`rollout-${rollout.product}`}>
      <h2 className="wrap"><Link href={`/products/${encodeURIComponent(rollout.product)}`}>{rollout.product}</Link> to v{rollout.toVersion}
        <span className={`badge state-${rollout.state.toLowerCase()}`}>{rollout.state}</span></h2>
      <p>{rollout.state === 'Completed' ? `All ${rollout.waves} waves done.` : `Wave ${rollout.wave + 1} of ${rollout.waves}${rollout.wave === 0 ? ' (the canary)' : ''}, ${rollout.stage === 'soaking' ? 'soaking' : 'applying'}.`}
        {' '}{rollout.message} <span className="muted">Started by {rollout.createdBy} on {rollout.createdAt.slice(0, 10)}; soak {duration(rollout.settings.soakMs)}.</span></p>
      <div className="scroll">
        <table>
          <caption className="sr-only">Waves of the rollout of {rollout.product}</caption>
          <thead><tr><th scope="col">Wave</th><th scope="col">Instances</th><th scope="col">Upgraded</th><th scope="col">Failed</th><th scope="col">Held or skipped</th></tr></thead>
          <tbody>
            {waves.map((targets, w) => (
              <tr key={w}>
                <th scope="row">{w === 0 ? 'Canary' : `Wave ${w + 1}`}</th>
                <td>{targets.length}</td>
                <td>{count(targets, 'upgraded') + count(targets, 'current')}</td>
                <td>{count(targets, 'failed') + count(targets, 'rollback-failed') + count(targets, 'rollback-unsupported') + count(targets, 'rolled-back')}</td>
                <td>{count(targets, 'held') + count(targets, 'skipped')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {trouble.length > 0 ? (
        <ul aria-label={`Held, skipped or failed in the rollout of ${rollout.product}`}>
          {trouble.map((t) => (
            <li key={t.instanceId} className="wrap">
              <span className={`badge state-${t.state}`}>{t.state}</span> <Link href={`/requests/${encodeURIComponent(t.team)}/${encodeURIComponent(t.instance)}`}>{t.team}/{t.instance}</Link> (from v{t.fromVersion}){t.message ? `: ${t.message}` : ''}
            </li>
          ))}
        </ul>
      ) : null}
    </li>
  );
}
