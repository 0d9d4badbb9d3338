import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PavedClient } from '@paved/client';
import { InputError, UnauthenticatedError } from '@paved/model';
import type { Context } from '../context.js';

/** How long the CLI waits for a browser to come back (the server forgets the login after 10 minutes too). */
const BROWSER_WAIT_MS = 10 * 60_000;

/**
 * `paved login --oidc`: a session token from the identity provider, by the device flow when the
 * provider offers it (the person enters a code at the provider, on any device), else by a
 * browser on this machine handing the sign-in back to a one-off listener on 127.0.0.1. Either
 * way the token arrives in a response body, never in a URL, and Paved's server does the
 * talking to the provider.
 */
export async function oidcSessionToken(ctx: Context, client: PavedClient, options: { browser: boolean }): Promise<string> {
  if (!isInteractive(ctx)) {
    throw new InputError('paved login --oidc needs a person at a terminal; in scripts and CI sign in with an API token: paved login --token -', {
      code: 'login_not_interactive', issues: [{ path: '--oidc', message: 'needs an interactive terminal' }],
    });
  }
  const info = await client.oidcInfo();
  ctx.err(`Signing in to ${client.url} with ${info.issuer}\n`);
  const stop = new AbortController();
  const unsubscribe = ctx.io.onSignal('SIGINT', () => stop.abort());
  try {
    return info.deviceFlow && !options.browser ? await deviceFlow(ctx, client, stop.signal) : await browserHandoff(ctx, client, stop.signal);
  } finally {
    unsubscribe();
  }
}

/** RFC 8628 through Paved: show the code, poll at the interval, slow down when told, stop at expiry. */
async function deviceFlow(ctx: Context, client: PavedClient, signal: AbortSignal): Promise<string> {
  const login = await client.startDeviceLogin();
  const where = login.verificationUriComplete ?? login.verificationUri;
  ctx.err(`\nOpen ${ctx.colors.bold(where)}\nand enter the code ${ctx.colors.bold(login.userCode)} (it expires in ${Math.round(login.expiresIn / 60)} minutes).\nWaiting for you to approve…\n`);
  const deadline = Date.now() + login.expiresIn * 1000;
  let interval = login.interval;
  while (Date.now() < deadline) {
    await sleep(interval * 1000, undefined, { signal }).catch(() => {
      throw new UnauthenticatedError('Sign-in interrupted', { code: 'login_interrupted' });
    });
    const poll = await client.pollDeviceLogin(login.loginId);
    if (poll.status === 'signed-in') return poll.token;
    interval = poll.interval;
  }
  throw new InputError('The code expired before it was approved; run paved login --oidc again', { code: 'oidc_login_expired' });
}

/**
 * The browser hand-off: a listener on 127.0.0.1 (an ephemeral port) and a verifier only this
 * process knows. The browser signs in at Paved's login route and comes back to the listener
 * with a one-time code that Paved exchanges for a token only together with the verifier (PKCE).
 */
async function browserHandoff(ctx: Context, client: PavedClient, signal: AbortSignal): Promise<string> {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const listener = await listenForCallback();
  let timer: NodeJS.Timeout | undefined;
  try {
    const url = client.oidcLoginUrl({ port: listener.port, challenge });
    ctx.err(`\nOpening your browser to sign in. If it does not open, open this URL:\n  ${url}\nWaiting for the browser…\n`);
    openBrowser(ctx, url);
    const back = await Promise.race([
      listener.result,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new InputError('No browser came back in 10 minutes; run paved login --oidc again', { code: 'oidc_login_expired' })), BROWSER_WAIT_MS);
        signal.addEventListener('abort', () => reject(new UnauthenticatedError('Sign-in interrupted', { code: 'login_interrupted' })));
      }),
    ]);
    if ('error' in back) throw new UnauthenticatedError(`Sign-in failed at the server: ${back.error} (docs/errors.md says why); run paved login --oidc again`, { code: 'login_failed' });
    return (await client.redeemHandoff(back.code, verifier)).token;
  } finally {
    clearTimeout(timer);
    listener.close();
  }
}

interface Listener {
  port: number;
  result: Promise<{ code: string } | { error: string }>;
  close(): void;
}

/** One GET /callback on 127.0.0.1, answered with a page telling the person to go back to the terminal. */
async function listenForCallback(): Promise<Listener> {
  let settle!: (value: { code: string } | { error: string }) => void;
  const result = new Promise<{ code: string } | { error: string }>((resolve) => (settle = resolve));
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const code = url.searchParams.get('code');
    const error = url.searchParams.get('error');
    if (req.method !== 'GET' || url.pathname !== '/callback' || (code === null && error === null)) {
      res.writeHead(404).end();
      return;
    }
    const ok = code !== null;
    res.writeHead(ok ? 200 : 400, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-security-policy': "default-src 'none'" });
    res.end(`<!doctype html><title>Paved</title><h1>${ok ? 'Signed in' : 'Sign-in failed'}</h1><p>Go back to your terminal.</p>\n`);
    settle(ok ? { code } : { error: /^[a-z_]{1,64}$/.test(error!) ? error! : 'an unknown error' });
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    result,
    close: () => {
      server.close();
      server.closeAllConnections(); // the browser's keep-alive connection would hold the CLI open
    },
  };
}

/** $BROWSER if set (as gh and git do), else the platform's opener; the URL is printed either way. */
function openBrowser(ctx: Context, url: string): void {
  const chosen = ctx.io.env.BROWSER;
  const [command, args] = chosen ? [chosen, [url]]
    : process.platform === 'darwin' ? ['open', [url]]
      : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url]]
        : ['xdg-open', [url]];
  const child = spawn(command, args, { stdio: 'ignore', detached: true });
  child.on('error', () => ctx.err('(could not open a browser: open the URL above yourself)\n'));
  child.unref();
}

function isInteractive(ctx: Context): boolean {
  return (ctx.io.stdin as { isTTY?: boolean }).isTTY === true && ctx.io.stderr.isTTY === true;
}
