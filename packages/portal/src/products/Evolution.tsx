import { useId, useState, type FormEvent } from 'react';
import type { ChangelogEntry, Deprecation, ProductDetail, ProductRequest, RoadmapItem, RoadmapStatus } from '@paved/model';
import { useApi } from '../app/api.js';
import { useSession } from '../app/session.js';
import { ApiError, Loaded } from '../app/errors.js';

/**
 * A product over time (docs/product-versions.md): its versions with their changelog and
 * deprecations, its roadmap, and the requests its users make and vote on. Loaded on its own so
 * the first visit stays small.
 */
export default function Evolution({ product }: { product: ProductDetail }) {
  return (
    <>
      <Versions product={product} />
      <Roadmap product={product.name} />
      <Requests product={product.name} />
    </>
  );
}

/** The deprecation of `version`, else of the whole product. */
function deprecationOf(items: Deprecation[], version: string): Deprecation | undefined {
  return items.find((d) => d.version === version) ?? items.find((d) => d.version === undefined);
}

/** A deprecation in words: its last day and its reason. */
export function DeprecationNote({ deprecation, what }: { deprecation: Pick<Deprecation, 'date' | 'reason'>; what: string }) {
  return (
    <p className="warning"><strong>Deprecated.</strong> New instances of {what} may be created until {deprecation.date}, not after. {deprecation.reason}</p>
  );
}

function Versions({ product }: { product: ProductDetail }) {
  const changelog = useApi(`changelog:${product.name}`, (c) => c.getProductChangelog(product.name));
  const deprecations = useApi(`deprecations:${product.name}`, (c) => c.listProductDeprecations(product.name));
  const whole = deprecations.data?.items.find((d) => d.version === undefined);
  return (
    <section aria-labelledby="versions">
      <h2 id="versions">Versions and changelog</h2>
      {whole ? <DeprecationNote deprecation={whole} what="this product" /> : null}
      <Loaded data={changelog.data?.items} error={changelog.error} what="the changelog">
        {(items) => <VersionList product={product} entries={items} deprecations={deprecations.data?.items ?? []} />}
      </Loaded>
    </section>
  );
}

function VersionList({ product, entries, deprecations }: { product: ProductDetail; entries: ChangelogEntry[]; deprecations: Deprecation[] }) {
  const byVersion = new Map(entries.map((e) => [e.version, e]));
  return (
    <ul className="rows" aria-label="Versions, newest first">
      {[...product.versions].reverse().map((v) => {
        const entry = byVersion.get(v);
        const deprecated = deprecations.find((d) => d.version === v);
        return (
          <li key={v} data-testid={`version-${v}`}>
            <h3><code>{v}</code>{v === product.latestVersion ? ' (latest)' : ''}{deprecated ? <span className="badge lc-deprecated">deprecated</span> : null}</h3>
            {entry ? <p className="muted">Published {entry.publishedAt.slice(0, 10)}</p> : null}
            {deprecated ? <DeprecationNote deprecation={deprecated} what={`version ${v}`} /> : null}
            <p>{entry?.changelog ?? <span className="muted">No changelog entry.</span>}</p>
          </li>
        );
      })}
    </ul>
  );
}

const ROADMAP_COLUMNS: { status: RoadmapStatus; title: string }[] = [
  { status: 'planned', title: 'Planned' },
  { status: 'in-progress', title: 'In progress' },
  { status: 'shipped', title: 'Shipped' },
];

function Roadmap({ product }: { product: string }) {
  const roadmap = useApi(`roadmap:${product}`, (c) => c.getProductRoadmap(product));
  return (
    <section aria-labelledby="roadmap">
      <h2 id="roadmap">Roadmap</h2>
      <Loaded data={roadmap.data?.items} error={roadmap.error} what="the roadmap">
        {(items) => items.length === 0 ? <p className="empty">The product’s team has not published a roadmap yet.</p> : <RoadmapColumns items={items} />}
      </Loaded>
    </section>
  );
}

function RoadmapColumns({ items }: { items: RoadmapItem[] }) {
  return (
    <div className="roadmap">
      {ROADMAP_COLUMNS.map(({ status, title }) => {
        const list = items.filter((i) => i.status === status);
        return (
          <div key={status} className="card" data-testid={`roadmap-${status}`}>
            <h3 className={`roadmap-${status}`}>{title} <span className="muted">({list.length})</span></h3>
            {list.length === 0 ? <p className="muted">Nothing.</p> : (
              <ul>{list.map((i) => <li key={i.id} className="wrap">{i.title}{i.targetVersion ? <span className="muted"> — in v{i.targetVersion}</span> : null}</li>)}</ul>
            )}
          </div>
        );
      })}
    </div>
  );
}

function Requests({ product }: { product: string }) {
  const { client } = useSession();
  const id = useId();
  const requests = useApi(`requests:${product}`, (c) => c.listProductRequests(product));
  const [text, setText] = useState('');
  const [state, setState] = useState<{ busy?: boolean; error?: unknown; said?: string }>({});

  const act = async (what: () => Promise<unknown>, said: string) => {
    setState({ busy: true });
    try {
      await what();
      await requests.mutate();
      setState({ said });
    } catch (error) {
      setState({ error });
    }
  };
  const ask = (event: FormEvent) => {
    event.preventDefault();
    if (!text.trim()) return;
    void act(async () => { await client.addProductRequest(product, text.trim()); setText(''); }, 'Your request was added.');
  };

  return (
    <section aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Requests from users</h2>
      <Loaded data={requests.data?.items} error={requests.error} what="the requests">
        {(items) => items.length === 0 ? <p className="empty">Nobody has asked for anything yet.</p> : (
          <ul className="rows" aria-label="Requests, most votes first">
            {[...items].sort((a, b) => b.votes - a.votes || a.id - b.id).map((r) => (
              <RequestRow key={r.id} request={r} busy={state.busy === true}
                onVote={() => void act(() => client.voteProductRequest(product, r.id), `You voted for “${r.text}”.`)} />
            ))}
          </ul>
        )}
      </Loaded>
      <p role="status">{state.said ?? ''}</p>
      {state.error ? <ApiError error={state.error}>That did not work.</ApiError> : null}
      <form onSubmit={ask}>
        <label htmlFor={`${id}-text`}>Ask for something</label>
        <textarea id={`${id}-text`} value={text} maxLength={2000} rows={2} onChange={(e) => setText(e.target.value)} />
        <button type="submit" disabled={state.busy === true || !text.trim()}>Add request</button>
      </form>
    </section>
  );
}

function RequestRow({ request, busy, onVote }: { request: ProductRequest; busy: boolean; onVote: () => void }) {
  const votes = `${request.votes} ${request.votes === 1 ? 'vote' : 'votes'}`;
  return (
    <li className="vote">
      <span aria-label={votes} data-testid={`votes-${request.id}`}><strong>{request.votes}</strong></span>
      <span className="wrap grow">{request.text} <span className="muted">— {request.author}</span></span>
      <button type="button" className="secondary" disabled={busy} onClick={onVote} aria-label={`Vote for ${request.text}`}>Vote</button>
    </li>
  );
}
