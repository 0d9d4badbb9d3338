import { createContext, useContext, useEffect, useState, type FormEvent, type ReactNode } from 'react';
import type { PavedClient } from '@paved/client';
import type { WhoAmI } from '@paved/model';
import { ApiError } from './errors.js';
import { portalClient } from './api.js';

export interface Session {
  client: PavedClient;
  me: WhoAmI;
  /** Ends the session: the token is forgotten (a browser session is also ended on the server). */
  signOut(): Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in page');
  return session;
}

/**
 * Holds who is signed in. The token lives in this component's state only: never in the URL,
 * localStorage, sessionStorage or the console, so a reload signs out (a browser session from
 * the identity provider is an HttpOnly cookie and survives it).
 */
export function SessionGate({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(null);
  const [checkingCookie, setCheckingCookie] = useState(true);

  const start = async (token?: string) => {
    const client = portalClient(token);
    const me = await client.whoami();
    setSession({
      client,
      me,
      signOut: async () => {
        if (token === undefined) await client.logout().catch(() => undefined);
        setSession(null);
      },
    });
  };

  useEffect(() => {
    // A browser sign-in session (cookie) needs no token; without one the API answers 401.
    start().catch(() => undefined).finally(() => setCheckingCookie(false));
  }, []);

  if (session) return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
  if (checkingCookie) return <main id="main" className="signin"><p role="status">Checking your session…</p></main>;
  return <SignIn onToken={(token) => start(token)} />;
}

function SignIn({ onToken }: { onToken(token: string): Promise<void> }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [oidc, setOidc] = useState<string | null>(null);

  useEffect(() => {
    const client = portalClient();
    client.oidcInfo().then(() => setOidc(client.oidcLoginUrl())).catch(() => setOidc(null));
  }, []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onToken(token.trim());
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <main id="main" className="signin">
      <h1>Sign in to Paved</h1>
      <form onSubmit={submit} aria-describedby="token-help">
        <label htmlFor="token">API token</label>
        <input id="token" name="token" type="password" autoComplete="off" spellCheck={false} required
          value={token} onChange={(e) => setToken(e.target.value)} placeholder="pvd_…" />
        <p id="token-help" className="muted">
          Your token stays in this page's memory only: reloading the page signs you out. Get one with <code>paved tokens create</code>.
        </p>
        <button type="submit" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
      </form>
      {error ? <ApiError error={error}>Could not sign in.</ApiError> : null}
      {oidc ? <p><a className="button secondary" href={oidc}>Sign in with your identity provider</a></p> : null}
    </main>
  );
}
