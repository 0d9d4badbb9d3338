import { useId, useState, type FormEvent } from 'react';
import { Link } from 'wouter';
import type { Approval } from '@paved/model';
import { useApi } from '../app/api.js';
import { useSession } from '../app/session.js';
import { ApiError, Loaded } from '../app/errors.js';
import { decisionText } from '../request/PolicyPreview.js';

/**
 * Requests held by a requireApproval policy (docs/policies.md#approvals): the ones waiting that
 * the user's teams decide or asked for, to approve, or deny with a reason; and the decided ones.
 */
export default function Approvals() {
  const { me } = useSession();
  const waiting = useApi('approvals:Waiting', (c) => c.listApprovals({ state: 'Waiting' }));
  const decided = useApi('approvals:all', (c) => c.listApprovals());
  const refresh = () => { void waiting.mutate(); void decided.mutate(); };
  return (
    <>
      <h1>Approvals</h1>
      <p className="muted">Requests a policy holds until an owner or member of the approving team decides. Nobody approves their own request.</p>
      <section aria-labelledby="waiting-h">
        <h2 id="waiting-h">Waiting</h2>
        <Loaded data={waiting.data?.items} error={waiting.error} what="the approvals">
          {(items) => items.length === 0 ? <p className="empty">Nothing is waiting for a decision.</p> : (
            <ul className="cards" aria-label="Waiting for a decision">
              {items.map((a) => <WaitingApproval key={a.id} approval={a} mine={a.requestedBy === me.user.name} onDecided={refresh} />)}
            </ul>
          )}
        </Loaded>
      </section>
      <section aria-labelledby="decided-h">
        <h2 id="decided-h">Decided</h2>
        <Loaded data={decided.data?.items.filter((a) => a.state !== 'Waiting')} error={decided.error} what="the decided approvals">
          {(items) => items.length === 0 ? <p className="empty">No decision yet.</p> : (
            <div className="scroll">
              <table>
                <thead><tr><th scope="col">Instance</th><th scope="col">Decision</th><th scope="col">By</th><th scope="col">Reason</th></tr></thead>
                <tbody>
                  {items.map((a) => (
                    <tr key={a.id}>
                      <th scope="row" className="wrap"><InstanceLink approval={a} /></th>
                      <td><span className={`badge phase-${a.state === 'Approved' ? 'ready' : 'denied'}`}>{a.state}</span></td>
                      <td>{a.decidedBy ?? '—'}</td>
                      <td className="wrap">{a.reason ?? '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Loaded>
      </section>
    </>
  );
}

function InstanceLink({ approval }: { approval: Approval }) {
  return <Link href={`/requests/${encodeURIComponent(approval.team)}/${encodeURIComponent(approval.instance)}`}>{approval.team}/{approval.instance}</Link>;
}

function WaitingApproval({ approval, mine, onDecided }: { approval: Approval; mine: boolean; onDecided: () => void }) {
  const { client } = useSession();
  const id = useId();
  const [reason, setReason] = useState('');
  const [state, setState] = useState<{ busy?: boolean; error?: unknown }>({});
  const decide = async (approve: boolean) => {
    setState({ busy: true });
    try {
      if (approve) await client.approve(approval.id, reason.trim() || undefined);
      else await client.deny(approval.id, reason.trim());
      onDecided();
    } catch (error) {
      setState({ error });
    }
  };
  const submit = (event: FormEvent) => { event.preventDefault(); void decide(true); };
  const label = `${approval.team}/${approval.instance}`;
  return (
    <li className="card" aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}><InstanceLink approval={approval} /></h3>
      <p>Asked by <strong>{approval.requestedBy}</strong> on {approval.requestedAt.slice(0, 10)}; decided by team <strong>{approval.approvers}</strong>.</p>
      <ul>{approval.decisions.filter((d) => d.result === 'failed').map((d) => <li key={d.policy}>{decisionText(d)}</li>)}</ul>
      {mine ? <p className="muted">You asked for this one: someone else in team {approval.approvers} decides.</p> : (
        <form onSubmit={submit}>
          <label htmlFor={`${id}-reason`}>Reason (needed to deny)</label>
          <input id={`${id}-reason`} value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} />
          <p className="actions">
            <button type="submit" disabled={state.busy === true} aria-label={`Approve ${label}`}>Approve</button>
            <button type="button" className="secondary" disabled={state.busy === true || !reason.trim()} aria-label={`Deny ${label}`} onClick={() => void decide(false)}>Deny</button>
          </p>
        </form>
      )}
      {state.error ? <ApiError error={state.error}>The decision was not recorded.</ApiError> : null}
    </li>
  );
}
