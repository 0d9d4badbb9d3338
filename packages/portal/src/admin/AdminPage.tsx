import { useId, useState, type FormEvent } from 'react';
import type { AuditRecord, TargetHealth } from '@paved/model';
import { useApi } from '../app/api.js';
import { useSession } from '../app/session.js';
import { ApiError, Loaded } from '../app/errors.js';

/** Platform administration: what `paved targets`, `paved teams`, `paved users`, `paved tokens` and `paved audit` show, read side. */
export function AdminPage() {
  const { me } = useSession();
  if (!me.user.admin) {
    return (
      <>
        <h1>Admin</h1>
        <p className="empty">This page is for platform admins. Team owners manage their members with <code>paved teams add-member</code>.</p>
      </>
    );
  }
  return (
    <>
      <h1>Admin</h1>
      <Health />
      <Teams />
      <Users />
      <Audit />
    </>
  );
}

function Health() {
  const health = useApi('health', (c) => c.health());
  return (
    <section aria-labelledby="health-h">
      <h2 id="health-h">Health and targets</h2>
      <Loaded data={health.data} error={health.error} what="the health">
        {(h) => <p>The API answers: <strong>{h.status}</strong>{typeof h.version === 'string' ? `, version ${h.version}` : ''}.</p>}
      </Loaded>
      <Targets />
    </section>
  );
}

/** Each target's driver preflight, as `paved targets` shows it; the server gives each 5 s, so a dead one cannot hold the page. */
function Targets() {
  const targets = useApi('admin:targets', (c) => c.listTargets());
  return (
    <Loaded data={targets.data?.items} error={targets.error} what="the targets">
      {(items) => items.length === 0 ? <p className="empty">No targets are configured: set <code>PAVED_TARGETS</code>.</p> : (
        <div className="scroll">
          <table aria-label="Targets">
            <thead><tr><th scope="col">Target</th><th scope="col">Driver</th><th scope="col">Health</th><th scope="col">Problems</th></tr></thead>
            <tbody>{items.map((t) => <TargetRow key={t.name} target={t} />)}</tbody>
          </table>
        </div>
      )}
    </Loaded>
  );
}

function TargetRow({ target }: { target: TargetHealth }) {
  const { ok, problems, version, warnings = [] } = target.health;
  return (
    <tr>
      <th scope="row">{target.name}{Object.keys(target.labels).length > 0 ? <span className="muted"> {Object.entries(target.labels).map(([k, v]) => `${k}=${v}`).join(', ')}</span> : null}</th>
      <td>{target.driver}{version ? <span className="muted"> {version}</span> : null}</td>
      <td><span className={`badge ${ok ? 'phase-ready' : 'phase-failed'}`}>{ok ? 'healthy' : 'failing'}</span></td>
      <td className="wrap">{problems.length === 0 && warnings.length === 0 ? '—' : (
        <ul>
          {problems.map((p) => <li key={p}>{p}</li>)}
          {warnings.map((w) => <li key={w} className="muted">Warning: {w}</li>)}
        </ul>
      )}</td>
    </tr>
  );
}

function Teams() {
  const teams = useApi('admin:teams', (c) => c.listTeams({ limit: 100 }));
  const [open, setOpen] = useState<string | null>(null);
  return (
    <section aria-labelledby="teams-h">
      <h2 id="teams-h">Teams and members</h2>
      <Loaded data={teams.data?.items} error={teams.error} what="the teams">
        {(items) => items.length === 0 ? <p className="empty">No teams yet: <code>paved teams create NAME</code>.</p> : (
          <ul className="rows">
            {items.map((t) => (
              <li key={t.id}>
                <button type="button" className="link" aria-expanded={open === t.name} onClick={() => setOpen(open === t.name ? null : t.name)}>
                  {t.name}
                </button>
                {t.title && t.title !== t.name ? <span className="muted"> {t.title}</span> : null}
                {t.platform ? <span className="badge">platform team</span> : null}
                {open === t.name ? <Members team={t.name} /> : null}
              </li>
            ))}
          </ul>
        )}
      </Loaded>
    </section>
  );
}

function Members({ team }: { team: string }) {
  const members = useApi(`members:${team}`, (c) => c.listMembers(team, { limit: 100 }));
  return (
    <Loaded data={members.data?.items} error={members.error} what={`the members of ${team}`}>
      {(items) => items.length === 0 ? <p className="muted">No members.</p> : (
        <ul>{items.map((m) => <li key={m.userId}>{m.userName} — {m.role}</li>)}</ul>
      )}
    </Loaded>
  );
}

function Users() {
  const users = useApi('admin:users', (c) => c.listUsers());
  const [open, setOpen] = useState<string | null>(null);
  return (
    <section aria-labelledby="users-h">
      <h2 id="users-h">Users and tokens</h2>
      <Loaded data={users.data?.items} error={users.error} what="the users">
        {(items) => (
          <ul className="rows">
            {items.map((u) => (
              <li key={u.id}>
                <button type="button" className="link" aria-expanded={open === u.name} onClick={() => setOpen(open === u.name ? null : u.name)}>{u.name}</button>
                {u.admin ? <span className="badge">admin</span> : null}
                {u.disabled ? <span className="badge phase-failed">disabled</span> : null}
                {open === u.name ? <Tokens user={u.name} /> : null}
              </li>
            ))}
          </ul>
        )}
      </Loaded>
    </section>
  );
}

function Tokens({ user }: { user: string }) {
  const { client } = useSession();
  const tokens = useApi(`tokens:${user}`, (c) => c.listTokens(user));
  const [error, setError] = useState<unknown>(null);
  const revoke = async (id: string) => {
    setError(null);
    try {
      await client.revokeToken(user, id);
      await tokens.mutate();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <>
      <Loaded data={tokens.data?.items} error={tokens.error} what={`the tokens of ${user}`}>
        {(items) => items.length === 0 ? <p className="muted">No tokens.</p> : (
          <div className="scroll">
            <table>
              <thead><tr><th scope="col">Token</th><th scope="col">Scope</th><th scope="col">Expires</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
              <tbody>
                {items.map((t) => (
                  <tr key={t.id}>
                    <th scope="row">{t.name} <span className="muted">{t.id}</span></th>
                    <td>{t.scope.readOnly ? 'read-only' : 'read-write'}{t.scope.team ? `, team ${t.scope.team}` : ''}</td>
                    <td>{t.expiresAt?.slice(0, 10) ?? 'never'}</td>
                    <td><button type="button" className="secondary" onClick={() => void revoke(t.id)} aria-label={`Revoke token ${t.name} of ${user}`}>Revoke</button></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Loaded>
      {error ? <ApiError error={error}>Could not revoke the token.</ApiError> : null}
    </>
  );
}

function Audit() {
  const id = useId();
  const [filter, setFilter] = useState({ actor: '', action: '' });
  const [applied, setApplied] = useState(filter);
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const audit = useApi(`audit:${applied.actor}:${applied.action}:${cursor ?? ''}`, (c) => c.listAudit({
    ...(applied.actor ? { actor: applied.actor } : {}), ...(applied.action ? { action: applied.action } : {}), ...(cursor ? { cursor } : {}), limit: 50,
  }));
  const apply = (e: FormEvent) => { e.preventDefault(); setApplied(filter); setCursors([]); };
  return (
    <section aria-labelledby="audit-h">
      <h2 id="audit-h">Audit log</h2>
      <form className="filters" onSubmit={apply}>
        <div className="field"><label htmlFor={`${id}-actor`}>Actor</label><input id={`${id}-actor`} value={filter.actor} onChange={(e) => setFilter({ ...filter, actor: e.target.value })} /></div>
        <div className="field"><label htmlFor={`${id}-action`}>Action</label><input id={`${id}-action`} value={filter.action} onChange={(e) => setFilter({ ...filter, action: e.target.value })} placeholder="revealCredentials" /></div>
        <button type="submit">Filter</button>
      </form>
      <Loaded data={audit.data} error={audit.error} what="the audit log">
        {(page) => page.items.length === 0 ? <p className="empty">No records match.</p> : (
          <>
            <div className="scroll">
              <table>
                <thead><tr><th scope="col">When (UTC)</th><th scope="col">Actor</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">Outcome</th><th scope="col">Via</th></tr></thead>
                <tbody>{page.items.map((r) => <AuditRow key={r.seq} record={r} />)}</tbody>
              </table>
            </div>
            <p>
              {cursors.length > 0 ? <button type="button" className="secondary" onClick={() => setCursors(cursors.slice(0, -1))}>Newer</button> : null}{' '}
              {page.nextCursor ? <button type="button" className="secondary" onClick={() => setCursors([...cursors, page.nextCursor!])}>Older</button> : null}
            </p>
          </>
        )}
      </Loaded>
    </section>
  );
}

function AuditRow({ record }: { record: AuditRecord }) {
  return (
    <tr>
      <td>{record.at.replace('T', ' ').slice(0, 19)}</td>
      <td>{record.actor}</td>
      <th scope="row">{record.action} <span className="muted">{record.stage}</span></th>
      <td className="wrap">{record.target ? Object.entries(record.target).map(([k, v]) => `${k} ${v}`).join(', ') : '—'}</td>
      <td>{record.outcome ? `${record.outcome.result} (${record.outcome.status}${record.outcome.code ? `, ${record.outcome.code}` : ''})` : '—'}</td>
      <td>{record.source?.interface ?? 'paved'}</td>
    </tr>
  );
}
