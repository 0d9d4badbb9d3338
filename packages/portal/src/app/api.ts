import { createClient, type PavedClient } from '@paved/client';
import useSWR, { type SWRResponse } from 'swr';
import { useSession } from './session.js';

/** Named in the Paved-Client header, so the audit log records the portal as the interface. */
const CLIENT_NAME = 'portal/0.1.0';

/** The CSRF value a browser sign-in session's cookie carries (docs/sign-in.md "In a browser"). */
function csrfCookie(): string | undefined {
  for (const part of document.cookie.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === 'paved_csrf' || name === '__Host-paved_csrf') return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

/**
 * The typed client the CLI uses, for this page's origin. With a token: it is sent as a bearer
 * token and kept only in this page's memory. Without one: the identity provider's session
 * cookie authenticates, and every change echoes its CSRF value.
 */
export function portalClient(token?: string): PavedClient {
  // A bound call: window.fetch called as another object's method throws "Illegal invocation".
  const fetchWith: typeof fetch = (input, init = {}) => {
    if (token === undefined && init.method && init.method !== 'GET') {
      const csrf = csrfCookie();
      if (csrf) init = { ...init, headers: { ...(init.headers as Record<string, string>), 'x-paved-csrf': csrf } };
    }
    return window.fetch(input, { ...init, credentials: 'same-origin' });
  };
  return createClient({ url: window.location.origin, ...(token ? { token } : {}), client: CLIENT_NAME, fetch: fetchWith });
}

/**
 * Reads from the API with SWR (cached per key, revalidated on reconnect). `key` null: nothing
 * is read yet (a dependency is missing).
 */
export function useApi<T>(key: string | null, read: (client: PavedClient) => Promise<T>): SWRResponse<T, Error> {
  const { client } = useSession();
  return useSWR<T, Error>(key, () => read(client));
}
