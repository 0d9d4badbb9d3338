import { lazy, Suspense, useId } from 'react';
import { Link, useLocation } from 'wouter';
import type { Instance, Service } from '@paved/model';
import { useApi } from '../app/api.js';
import { Loaded } from '../app/errors.js';
import { PhaseBadge } from '../ui/badges.js';
import { statusMessage } from '../request/RequestStatus.js';
import { useVisibleTeams } from './teams.js';
import { DeprecationWarning } from '../request/DeprecationWarning.js';

const TeamGraph = lazy(() => import('./TeamGraph.js'));

/** Instances made by hand (no Score workload) are listed under this heading. */
const NO_ENVIRONMENT = 'Requested directly';

export function TeamPage({ team }: { team?: string }) {
  const teams = useVisibleTeams();
  const [, navigate] = useLocation();
  const id = useId();
  const chosen = team ?? teams.data?.[0];
  return (
    <>
      <h1>My team</h1>
      <Loaded data={teams.data} error={teams.error} what="your teams">
        {(names) => names.length === 0 ? <p className="empty">You are not in any team yet. A team owner adds you with <code>paved teams add-member</code>.</p> : (
          <>
            <div className="field inline-field">
              <label htmlFor={`${id}-team`}>Team</label>
              <select id={`${id}-team`} value={chosen} onChange={(e) => navigate(`/team/${encodeURIComponent(e.target.value)}`)}>
                {names.map((n) => <option key={n} value={n}>{n}</option>)}
              </select>
            </div>
            {chosen ? <TeamDetail team={chosen} /> : null}
          </>
        )}
      </Loaded>
    </>
  );
}

async function allInstances(iterate: AsyncIterableIterator<Instance>): Promise<Instance[]> {
  const items: Instance[] = [];
  for await (const instance of iterate) items.push(instance);
  return items;
}

function TeamDetail({ team }: { team: string }) {
  const instances = useApi(`instances:${team}`, (c) => allInstances(c.iterateInstances(team, { limit: 100 })));
  const services = useApi(`services:${team}`, (c) => c.listServices(team, { limit: 100 }));
  return (
    <>
      <section aria-labelledby="inst-h">
        <h2 id="inst-h">Instances by environment</h2>
        <Loaded data={instances.data} error={instances.error} what="the instances">
          {(items) => <InstancesByEnvironment team={team} items={items.filter((i) => !i.parent)} />}
        </Loaded>
      </section>
      <section aria-labelledby="svc-h">
        <h2 id="svc-h">Services and their resources</h2>
        <Loaded data={services.data?.items} error={services.error} what="the services">
          {(items) => <Services services={items} instances={instances.data ?? []} />}
        </Loaded>
      </section>
      {instances.data && services.data ? (
        <section aria-labelledby="graph-h">
          <h2 id="graph-h">Service → instances → products</h2>
          <Suspense fallback={<p className="muted">Drawing the graph…</p>}>
            <TeamGraph services={services.data.items} instances={instances.data.filter((i) => !i.parent)} />
          </Suspense>
        </section>
      ) : null}
    </>
  );
}

function InstancesByEnvironment({ team, items }: { team: string; items: Instance[] }) {
  if (items.length === 0) {
    return <p className="empty">This team has no instances yet. <Link href="/products">Pick a product</Link> and request one.</p>;
  }
  const byEnvironment = new Map<string, Instance[]>();
  for (const i of items) {
    const env = i.workload?.environment ?? NO_ENVIRONMENT;
    byEnvironment.set(env, [...(byEnvironment.get(env) ?? []), i]);
  }
  return (
    <>
      {[...byEnvironment].map(([env, list]) => (
        <div key={env}>
          <h3>{env} <span className="muted">({list.length})</span></h3>
          <div className="scroll">
            <table>
              <thead><tr><th scope="col">Instance</th><th scope="col">Product</th><th scope="col">Plan</th><th scope="col">Status</th><th scope="col">Message</th></tr></thead>
              <tbody>
                {list.map((i) => (
                  <tr key={i.id}>
                    <th scope="row" className="wrap"><Link href={`/requests/${encodeURIComponent(team)}/${encodeURIComponent(i.name)}`}>{i.name}</Link></th>
                    <td>{i.product} <span className="muted">v{i.productVersion}</span></td>
                    <td>{i.plan}</td>
                    <td><PhaseBadge phase={i.status.phase} /></td>
                    <td className="wrap">
                      {statusMessage(i)}
                      {i.deprecation ? <DeprecationWarning deprecation={i.deprecation} /> : null}
                      {i.hold ? <p className="warning"><strong>Held.</strong> Rollouts skip it; held by {i.hold.heldBy}: {i.hold.reason}</p> : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      ))}
    </>
  );
}

function Services({ services, instances }: { services: Service[]; instances: Instance[] }) {
  if (services.length === 0) {
    return <p className="empty">No services are catalogued for this team. <code>paved init</code> creates one from a template.</p>;
  }
  return (
    <ul className="cards">
      {services.map((s) => {
        const resources = instances.filter((i) => i.workload?.service === s.name);
        return (
          <li key={s.id} className="card">
            <h3 className="wrap">{s.name}</h3>
            <p>{s.description || <span className="muted">No description.</span>}</p>
            {resources.length === 0 ? <p className="muted">No resources yet.</p> : (
              <ul>
                {resources.map((r) => (
                  <li key={r.id}><code>{r.workload!.resource}</code> in {r.workload!.environment}: {r.product} <PhaseBadge phase={r.status.phase} /></li>
                ))}
              </ul>
            )}
          </li>
        );
      })}
    </ul>
  );
}
