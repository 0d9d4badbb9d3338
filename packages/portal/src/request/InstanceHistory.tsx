import { useId, useState, type FormEvent } from 'react';
import type { HistoryEntry } from '@paved/model';
import { useApi } from '../app/api.js';
import { useSession } from '../app/session.js';
import { ApiError, Loaded } from '../app/errors.js';
import { decisionClass, decisionText } from './PolicyPreview.js';

/** The hold in force, from the last instance.held / instance.unheld event (the API has no read of holds of its own). */
export function currentHold(entries: HistoryEntry[]): HistoryEntry | undefined {
  const last = [...entries].reverse().find((e) => e.event === 'instance.held' || e.event === 'instance.unheld');
  return last?.event === 'instance.held' ? last : undefined;
}

/** One history line in words: when, what, who and through which door. */
function entryText(e: HistoryEntry): string {
  const parts = [e.event.replace(/^instance\./, '')];
  if (e.version) parts.push(`version ${e.version}`);
  if (e.plan) parts.push(`plan ${e.plan}`);
  if (e.actor) parts.push(`by ${e.actor}${e.interface ? ` via ${e.interface}` : ''}`);
  if (e.approvers) parts.push(`approvers ${e.approvers}`);
  if (e.outcome) parts.push(`— ${e.outcome}`);
  if (e.reason) parts.push(`— ${e.reason}`);
  return parts.join(' ');
}

/**
 * An instance's provenance (GET …/history, docs/policies.md): who asked for what, what each
 * policy decided, who approved, and what the engine did; and the hold that keeps it on its version.
 * Loaded on its own, after the status.
 */
export default function InstanceHistory({ team, name, phase }: { team: string; name: string; phase?: string }) {
  // Re-read when the phase moves, so the approval and the result join the history as they happen.
  const history = useApi(`history:${team}/${name}/${phase ?? ''}`, (c) => c.instanceHistory(team, name));
  return (
    <>
      <Loaded data={history.data?.entries} error={history.error} what="the instance’s history">
        {(entries) => (
          <>
            <Hold team={team} name={name} hold={currentHold(entries)} onChange={() => void history.mutate()} />
            <section aria-labelledby="history-h">
              <h2 id="history-h">History</h2>
              {entries.length === 0 ? <p className="empty">Nothing recorded yet.</p> : (
                <ol className="timeline" aria-label="What happened, oldest first">
                  {entries.map((e, i) => (
                    <li key={`${e.at}-${i}`}>
                      <time dateTime={e.at}>{e.at.replace('T', ' ').slice(0, 19)}</time> <span className="wrap">{entryText(e)}</span>
                      {e.policies?.length ? <ul>{e.policies.filter((d) => d.result !== 'skipped').map((d) => <li key={d.policy} className={decisionClass(d)}>{decisionText(d)}</li>)}</ul> : null}
                    </li>
                  ))}
                </ol>
              )}
            </section>
          </>
        )}
      </Loaded>
    </>
  );
}

/** Held: rollouts skip the instance (docs/rollouts.md#holding-an-instance). */
function Hold({ team, name, hold, onChange }: { team: string; name: string; hold?: HistoryEntry; onChange: () => void }) {
  const { client } = useSession();
  const id = useId();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>(null);
  const act = async (what: () => Promise<unknown>) => {
    setError(null);
    try {
      await what();
      setReason('');
      onChange();
    } catch (e) {
      setError(e);
    }
  };
  const holdIt = (event: FormEvent) => {
    event.preventDefault();
    if (reason.trim()) void act(() => client.holdInstance(team, name, reason.trim()));
  };
  return (
    <section aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Hold</h2>
      {hold ? (
        <>
          <p className="warning" data-testid="held"><strong>Held.</strong> Rollouts skip this instance{hold.actor ? `; held by ${hold.actor}` : ''}{hold.reason ? `: ${hold.reason}` : ''}.</p>
          <button type="button" className="secondary" onClick={() => void act(() => client.unholdInstance(team, name))}>Lift the hold</button>
        </>
      ) : (
        <form onSubmit={holdIt} className="actions">
          <div className="field grow">
            <label htmlFor={`${id}-reason`}>Reason to hold it on its version</label>
            <input id={`${id}-reason`} value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} />
          </div>
          <button type="submit" className="secondary" disabled={!reason.trim()}>Hold</button>
        </form>
      )}
      {error ? <ApiError error={error}>That did not work.</ApiError> : null}
    </section>
  );
}
