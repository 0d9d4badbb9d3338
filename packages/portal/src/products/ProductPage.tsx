import { lazy, Suspense, useId, useState, type FormEvent } from 'react';
import { Link } from 'wouter';
import type { ProductDetail } from '@paved/model';
import { useApi } from '../app/api.js';
import { useSession } from '../app/session.js';
import { ApiError, Loaded, describeError } from '../app/errors.js';
import { LifecycleBadge, duration, percent } from '../ui/badges.js';

const Markdown = lazy(() => import('./Markdown.js'));
const Evolution = lazy(() => import('./Evolution.js'));

export function ProductPage({ name }: { name: string }) {
  const product = useApi(`product:${name}`, (c) => c.getProduct(name));
  return (
    <Loaded data={product.data} error={product.error} what={`the product ${name}`}>
      {(p) => <Product product={p} />}
    </Loaded>
  );
}

function Product({ product }: { product: ProductDetail }) {
  const { spec, metadata } = product.manifest;
  const docsIsUrl = spec.docs !== undefined && /^https?:\/\//.test(spec.docs);
  return (
    <article className="product">
      <h1>{product.title}</h1>
      <p className="meta"><code>{product.name}</code> <LifecycleBadge lifecycle={product.lifecycle} /> latest v{product.latestVersion}</p>
      <p><Link className="button" href={`/products/${encodeURIComponent(product.name)}/request`}>Request {product.title}</Link></p>
      <dl className="facts">
        <dt>Owner</dt><dd>{product.owner}</dd>
        <dt>Support</dt>
        <dd>
          {spec.support?.channel ?? null}
          {spec.support?.url ? <> <a href={spec.support.url}>{spec.support.url}</a></> : null}
          {!spec.support?.channel && !spec.support?.url ? 'not given' : null}
        </dd>
        <dt>Driver</dt><dd>{spec.driver}</dd>
        {metadata.tags?.length ? <><dt>Tags</dt><dd>{metadata.tags.join(', ')}</dd></> : null}
      </dl>

      <section aria-labelledby="about">
        <h2 id="about">About</h2>
        <Suspense fallback={<p>{spec.description}</p>}>
          <Markdown text={spec.description} />
        </Suspense>
        {spec.docs ? (
          <p>Documentation: {docsIsUrl ? <a href={spec.docs}>{spec.docs}</a> : <code>{spec.docs}</code>}{docsIsUrl ? null : ' (in the product’s repository)'}</p>
        ) : null}
      </section>

      <section aria-labelledby="plans">
        <h2 id="plans">Plans</h2>
        <div className="scroll">
          <table>
            <thead><tr><th scope="col">Plan</th><th scope="col">What you get</th><th scope="col">Per team</th><th scope="col">Rotation grace</th></tr></thead>
            <tbody>
              {Object.entries(spec.plans).map(([plan, p]) => (
                <tr key={plan}>
                  <th scope="row">{plan}{p.default ? ' (default)' : ''}</th>
                  <td>{p.description ?? '—'}</td>
                  <td>{p.quota?.perTeam ?? 'no limit'}</td>
                  <td>{p.rotation?.gracePeriod ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <TimeToReady product={product} />

      {/* Versions, changelog, deprecations, roadmap and requests: their own chunk, loaded after the page. */}
      <Suspense fallback={<p className="muted" role="status">Loading versions and roadmap…</p>}>
        <Evolution product={product} />
      </Suspense>

      <section aria-labelledby="outputs">
        <h2 id="outputs">What an instance gives you</h2>
        <ul>
          {Object.entries(spec.outputs).map(([name, o]) => (
            <li key={name}><code>{name}</code>{o.description ? `: ${o.description}` : ''}{o.secret ? ' (secret)' : ''}</li>
          ))}
        </ul>
      </section>

      <Feedback product={product.name} />
    </article>
  );
}

/** The objective beside what was measured; the measures are shown to the owner team and admins only. */
function TimeToReady({ product }: { product: ProductDetail }) {
  const measures = useApi(`measures:${product.name}`, (c) => c.getProductMeasures(product.name, { since: '30d' }));
  const objective = product.manifest.spec.slo?.timeToReady?.p95;
  const ttr = measures.data?.timeToReady;
  return (
    <section aria-labelledby="slo">
      <h2 id="slo">Time to ready</h2>
      <dl className="facts">
        <dt>Objective (p95)</dt><dd>{objective ?? 'none declared'}</dd>
        <dt>Measured, last 30 days</dt>
        <dd>
          {measures.error ? <span className="muted">{describeError(measures.error)}</span>
            : !ttr ? 'Loading…'
              : ttr.count === 0 ? 'no request reached Ready in this window'
                : <>p50 {duration(ttr.p50Ms)}, p95 {duration(ttr.p95Ms)} over {ttr.count} requests{ttr.slo?.met === undefined ? '' : ttr.slo.met ? ' — objective met' : ' — objective missed'}</>}
        </dd>
        {measures.data ? <><dt>Success rate</dt><dd>{percent(measures.data.requests.successRate)}</dd></> : null}
      </dl>
    </section>
  );
}

function Feedback({ product }: { product: string }) {
  const { client } = useSession();
  const id = useId();
  const [score, setScore] = useState<number | null>(null);
  const [comment, setComment] = useState('');
  const [state, setState] = useState<{ sent?: boolean; error?: unknown }>({});

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (score === null) return;
    try {
      await client.giveFeedback(product, { score, ...(comment.trim() ? { comment: comment.trim() } : {}) });
      setState({ sent: true });
    } catch (error) {
      setState({ error });
    }
  };

  return (
    <section aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Feedback</h2>
      {state.sent ? <p role="status">Thank you: the product’s team sees your score.</p> : (
        <form onSubmit={submit}>
          <fieldset className="scores">
            <legend>How well does this product serve you? (1 poor – 5 excellent)</legend>
            {[1, 2, 3, 4, 5].map((n) => (
              <label key={n}><input type="radio" name={`${id}-score`} value={n} checked={score === n} onChange={() => setScore(n)} required /> {n}</label>
            ))}
          </fieldset>
          <label htmlFor={`${id}-c`}>Comment (optional)</label>
          <textarea id={`${id}-c`} value={comment} maxLength={2000} onChange={(e) => setComment(e.target.value)} rows={3} />
          <button type="submit" disabled={score === null}>Send feedback</button>
        </form>
      )}
      {state.error ? <ApiError error={state.error}>Could not send the feedback.</ApiError> : null}
    </section>
  );
}
