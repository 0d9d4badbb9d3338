import { useDeferredValue, useId, useMemo, useState } from 'react';
import { Link } from 'wouter';
import type { ProductSummary } from '@paved/model';
import { useApi } from '../app/api.js';
import { Loaded } from '../app/errors.js';
import { LifecycleBadge } from '../ui/badges.js';

interface Filters {
  text: string;
  tag: string;
  lifecycle: string;
  owner: string;
}

/** Whether a product matches the catalog's search box and filters (case-insensitive text over name, title, description, tags). */
export function matches(product: ProductSummary, f: Filters): boolean {
  if (f.tag && !product.tags.includes(f.tag)) return false;
  if (f.lifecycle && product.lifecycle !== f.lifecycle) return false;
  if (f.owner && product.owner !== f.owner) return false;
  if (!f.text) return true;
  const needle = f.text.toLowerCase();
  return [product.name, product.title, product.description, ...product.tags].some((s) => s.toLowerCase().includes(needle));
}

const distinct = (values: string[]) => [...new Set(values)].sort();

/** Cards drawn at first and per "show more": a catalog of a thousand stays quick to draw and to filter. */
const PAGE = 60;

export function Catalog() {
  const products = useApi('products', (c) => c.listProducts());
  return (
    <>
      <h1>Products</h1>
      <Loaded data={products.data?.items} error={products.error} what="the products">
        {(items) => <CatalogList items={items} />}
      </Loaded>
    </>
  );
}

function CatalogList({ items }: { items: ProductSummary[] }) {
  const [filters, setFilters] = useState<Filters>({ text: '', tag: '', lifecycle: '', owner: '' });
  const [limit, setLimit] = useState(PAGE);
  // Typing stays responsive with a thousand products: the list filters behind the keystrokes.
  const deferred = useDeferredValue(filters);
  const shown = useMemo(() => items.filter((p) => matches(p, deferred)), [items, deferred]);
  const options = useMemo(() => ({
    tags: distinct(items.flatMap((p) => p.tags)),
    lifecycles: distinct(items.map((p) => p.lifecycle)),
    owners: distinct(items.map((p) => p.owner)),
  }), [items]);
  const id = useId();
  const set = (key: keyof Filters) => (e: { target: { value: string } }) => {
    setFilters({ ...filters, [key]: e.target.value });
    setLimit(PAGE);
  };

  if (items.length === 0) {
    return <p className="empty">No products are published yet. A platform team publishes one with <code>paved apply -f products/</code>.</p>;
  }
  return (
    <>
      <form className="filters" role="search" aria-label="Products" onSubmit={(e) => e.preventDefault()}>
        <div className="field grow">
          <label htmlFor={`${id}-q`}>Search</label>
          <input id={`${id}-q`} type="search" value={filters.text} onChange={set('text')} placeholder="name, description or tag" />
        </div>
        <Select id={`${id}-tag`} label="Tag" value={filters.tag} onChange={set('tag')} options={options.tags} />
        <Select id={`${id}-lc`} label="Lifecycle" value={filters.lifecycle} onChange={set('lifecycle')} options={options.lifecycles} />
        <Select id={`${id}-owner`} label="Owner" value={filters.owner} onChange={set('owner')} options={options.owners} />
      </form>
      <p role="status" className="muted" data-testid="catalog-count">
        {shown.length === items.length ? `${items.length} products` : `${shown.length} of ${items.length} products`}
      </p>
      {shown.length === 0 ? <p className="empty">No product matches these filters.</p> : (
        <ul className="cards" aria-label="Products found">
          {shown.slice(0, limit).map((p) => (
            <li key={p.name} className="card">
              <h2><Link href={`/products/${encodeURIComponent(p.name)}`}>{p.title}</Link></h2>
              <p className="meta"><code>{p.name}</code> <LifecycleBadge lifecycle={p.lifecycle} /> <span>v{p.latestVersion}</span></p>
              <p>{p.description}</p>
              <p className="meta">Owner: {p.owner}{p.tags.length ? <> · Tags: {p.tags.join(', ')}</> : null}</p>
            </li>
          ))}
        </ul>
      )}
      {shown.length > limit ? (
        <p>
          <button type="button" className="secondary" onClick={() => setLimit(limit + PAGE)}>
            Show {Math.min(PAGE, shown.length - limit)} more (of {shown.length - limit} not shown)
          </button>
        </p>
      ) : null}
    </>
  );
}

function Select({ id, label, value, onChange, options }: {
  id: string; label: string; value: string; options: string[]; onChange(e: { target: { value: string } }): void;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={onChange}>
        <option value="">Any</option>
        {options.map((o) => <option key={o} value={o}>{o}</option>)}
      </select>
    </div>
  );
}
