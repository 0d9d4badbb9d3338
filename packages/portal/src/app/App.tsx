import { lazy, Suspense, useEffect, useRef } from 'react';
import { Link, Redirect, Route, Switch, useLocation } from 'wouter';
import { SWRConfig } from 'swr';
import { SessionGate, useSession } from './session.js';
import { Catalog } from '../products/Catalog.js';
import { ProductPage } from '../products/ProductPage.js';
import { RequestStatus } from '../request/RequestStatus.js';
import { TeamPage } from '../team/TeamPage.js';
import { AdminPage } from '../admin/AdminPage.js';

// Route-level splitting keeps the first visit small: the schema form, the charts and the
// graph load when their page is opened (bench/portal-budget.mjs measures it).
const RequestPage = lazy(() => import('../request/RequestPage.js'));
const Dashboards = lazy(() => import('../dashboards/Dashboards.js'));
const Approvals = lazy(() => import('../governance/Approvals.js'));
const Rollouts = lazy(() => import('../governance/Rollouts.js'));

const NAV = [
  { href: '/products', label: 'Products' },
  { href: '/team', label: 'My team' },
  { href: '/approvals', label: 'Approvals' },
  { href: '/rollouts', label: 'Rollouts' },
  { href: '/dashboards', label: 'Dashboards' },
  { href: '/admin', label: 'Admin' },
];

export function App() {
  return (
    <SessionGate>
      <Shell />
    </SessionGate>
  );
}

function Shell() {
  const { me, signOut } = useSession();
  const [location] = useLocation();
  const main = useRef<HTMLElement>(null);
  // After a navigation, focus moves to the page's heading area so a keyboard or screen-reader user starts there.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) { first.current = false; return; }
    main.current?.focus();
  }, [location]);

  return (
    // A fresh cache per session: one person's answers are never shown to the next.
    <SWRConfig value={{ revalidateOnFocus: false, provider: () => new Map() }}>
      <a className="skip" href="#main">Skip to content</a>
      <header className="top">
        <Link href="/products" className="brand">Paved</Link>
        <nav aria-label="Main">
          <ul>
            {NAV.filter((n) => n.href !== '/admin' || me.user.admin).map((n) => (
              <li key={n.href}>
                <Link href={n.href} aria-current={location.startsWith(n.href) ? 'page' : undefined}>{n.label}</Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <span title={me.user.name}>{me.user.name}</span>
          <button type="button" className="link" onClick={() => void signOut()}>Sign out</button>
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <Suspense fallback={<p role="status" className="muted">Loading…</p>}>
          <Switch>
            <Route path="/"><Redirect to="/products" /></Route>
            <Route path="/sign-in"><Redirect to="/products" /></Route>
            <Route path="/products" component={Catalog} />
            <Route path="/products/:name/request">{(p) => <RequestPage product={p.name} />}</Route>
            <Route path="/products/:name">{(p) => <ProductPage name={p.name} />}</Route>
            <Route path="/requests/:team/:name">{(p) => <RequestStatus team={p.team} name={p.name} />}</Route>
            <Route path="/team"><TeamPage /></Route>
            <Route path="/team/:team">{(p) => <TeamPage team={p.team} />}</Route>
            <Route path="/approvals" component={Approvals} />
            <Route path="/rollouts" component={Rollouts} />
            <Route path="/dashboards" component={Dashboards} />
            <Route path="/admin" component={AdminPage} />
            <Route>
              <h1>Page not found</h1>
              <p>There is nothing at this address. <Link href="/products">Go to the products</Link>.</p>
            </Route>
          </Switch>
        </Suspense>
      </main>
    </SWRConfig>
  );
}
