import { lazy, Suspense, useEffect, useState } from 'react';
import { Link } from 'wouter';
import type { Credentials, Instance } from '@paved/model';
import { useSession } from '../app/session.js';
import { useApi } from '../app/api.js';
import { ApiError } from '../app/errors.js';
import { PhaseBadge } from '../ui/badges.js';
import { envLines } from './env-lines.js';
import { DeprecationWarning } from './DeprecationWarning.js';

const InstanceHistory = lazy(() => import('./InstanceHistory.js'));

/** The status in words: the message of the condition that explains the phase, else the last error. */
export function statusMessage(instance: Instance): string {
  const { phase, conditions, lastError } = instance.status;
  const explaining = phase === 'Ready'
    ? conditions.find((c) => c.type === 'Ready' && c.status === 'True')
    : conditions.find((c) => c.status === 'False') ?? conditions.find((c) => c.type === 'Ready');
  return explaining?.message ?? lastError ?? (phase === 'Pending' ? 'Waiting for a worker to pick the request up.' : `The instance is ${phase}.`);
}

/** An instance's live status over the event stream (GET …/watch), its checks, and its credentials on request. */
export function RequestStatus({ team, name }: { team: string; name: string }) {
  const { client } = useSession();
  const [instance, setInstance] = useState<Instance | null>(null);
  const [deleted, setDeleted] = useState(false);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    const abort = new AbortController();
    client.watchInstance(team, name, { signal: abort.signal, onStatus: setInstance, onDeleted: () => setDeleted(true) })
      .catch((e: unknown) => { if (!abort.signal.aborted) setError(e); });
    return () => abort.abort();
  }, [client, team, name]);

  const phase = instance?.status.phase;
  return (
    <>
      <h1 className="wrap">{name}</h1>
      <p className="meta">Team <Link href={`/team/${encodeURIComponent(team)}`}>{team}</Link>
        {instance ? <> · {instance.product} v{instance.productVersion} · plan {instance.plan}</> : null}</p>
      {error ? <ApiError error={error}>The live status stopped.</ApiError> : null}
      {deleted ? <p role="status">This instance has been deleted.</p> : null}
      <section aria-labelledby="status-h" className="status">
        <h2 id="status-h">Status</h2>
        {/* Announced as it changes: the phase and its message. */}
        <div role="status" aria-live="polite" data-testid="status">
          {instance ? <p><PhaseBadge phase={instance.status.phase} /> {statusMessage(instance)}</p> : <p className="muted">Connecting to the status stream…</p>}
        </div>
        {instance ? <ApprovalNote instance={instance} /> : null}
        {instance ? <Deprecated team={team} name={name} version={instance.productVersion} /> : null}
        {phase === 'Pending' || phase === 'Provisioning' || phase === 'AwaitingApproval' ? <p className="muted">This page updates by itself; you may leave it and come back.</p> : null}
        {instance?.status.checks?.length ? (
          <ul className="checks" aria-label="Contract checks">
            {instance.status.checks.map((c) => <li key={c.name}>{c.passed ? '✓' : '✗'} <strong>{c.name}</strong>: {c.message}</li>)}
          </ul>
        ) : null}
      </section>
      {phase === 'Ready' && instance ? <CredentialsPanel instance={instance} /> : null}
      {instance ? (
        <Suspense fallback={<p className="muted" role="status">Loading the history…</p>}>
          <InstanceHistory team={team} name={name} phase={phase} />
        </Suspense>
      ) : null}
    </>
  );
}

/** The deprecation is on the instance as read (the status stream carries the status only): read again when the version moves. */
function Deprecated({ team, name, version }: { team: string; name: string; version: string }) {
  const read = useApi(`instance:${team}/${name}@${version}`, (c) => c.getInstance(team, name));
  return read.data?.deprecation ? <DeprecationWarning deprecation={read.data.deprecation} /> : null;
}

/** Who may approve a held request, or who decided and why. */
function ApprovalNote({ instance }: { instance: Instance }) {
  const approval = instance.status.approval;
  if (!approval) return null;
  const policies = approval.policies.join(', ');
  if (approval.state === 'Waiting') {
    return <p data-testid="approval">Waiting for approval by an owner or member of team <strong>{approval.approvers}</strong> (policy {policies}). They decide in the portal’s Approvals page or with <code>paved approvals approve {approval.id}</code>.</p>;
  }
  return (
    <p data-testid="approval">{approval.state === 'Approved' ? 'Approved' : 'Denied'}{approval.decidedBy ? ` by ${approval.decidedBy}` : ''} (team {approval.approvers}){approval.reason ? `: ${approval.reason}` : '.'}
      {approval.state === 'Denied' ? ' Delete it and ask again with what the approvers need.' : ''}</p>
  );
}

function CredentialsPanel({ instance }: { instance: Instance }) {
  const { client } = useSession();
  const [credentials, setCredentials] = useState<Credentials | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [copied, setCopied] = useState<string | null>(null);

  const reveal = async () => {
    setError(null);
    try {
      setCredentials(await client.revealCredentials(instance.teamName, instance.name));
    } catch (e) {
      setError(e);
    }
  };
  const copy = async (text: string) => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied('Copied as env lines.');
    } catch {
      setCopied('The browser did not allow copying: select the lines and copy them yourself.');
    }
  };

  return (
    <section aria-labelledby="cred-h">
      <h2 id="cred-h">Credentials</h2>
      {credentials ? (
        <>
          <label htmlFor="env-lines">Env lines</label>
          <textarea id="env-lines" className="secret" readOnly rows={Object.keys(credentials.values).length + 1} value={envLines(credentials)} spellCheck={false} />
          <p>
            <button type="button" onClick={() => void copy(envLines(credentials))}>Copy env lines</button>{' '}
            <button type="button" className="secondary" onClick={() => { setCredentials(null); setCopied(null); }}>Hide</button>
          </p>
          <p role="status">{copied ?? ''}</p>
        </>
      ) : (
        <>
          <p>The credentials stay hidden until you ask: each reveal is recorded in the audit log.</p>
          <button type="button" onClick={() => void reveal()}>Reveal credentials</button>
        </>
      )}
      {error ? <ApiError error={error}>Could not reveal the credentials.</ApiError> : null}
    </section>
  );
}
