import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '#typebox';
import { InputError } from '@paved/model';
import type { Services } from '../../services.js';
import { principalOf } from '../../http/auth.js';
import { originOf } from '../../http/request-context.js';
import { Name, problemResponses } from '../../http/schemas.js';
import { IssuedToken } from '../schemas.js';
import type { RateLimiters } from '../../http/rate-limits.js';
import type { SessionCookies } from './cookies.js';
import {
  CallbackQuery, DeviceLogin, DevicePoll, LinkIdentityRequest, LoginQuery, OidcInfo, PollDeviceRequest, RedeemHandoffRequest, UserIdentity,
} from './schemas.js';

interface Options {
  services: Services;
  cookies: SessionCookies;
}

interface SignInOptions extends Options {
  /** Counts each sign-in started per client address (PAVED_SIGN_IN_START_LIMIT). */
  signInStart: RateLimiters['signInStart'];
}

const publicRoute = { tags: ['sign-in'], security: [] };
const redirect = { 302: Type.Null({ description: 'A redirect (Location)' }) };

/**
 * Signing in (docs/sign-in.md): routes for people who are not signed in yet, so outside the
 * bearer hook. Nothing secret ever goes in a URL: the session token reaches a browser in an
 * HttpOnly cookie and the CLI in a response body; a hand-off code in the loopback redirect is
 * worth nothing without the CLI's verifier.
 */
export const oidcRoutes: FastifyPluginAsyncTypebox<SignInOptions> = async (app, { services, cookies, signInStart }) => {
  const { oidc } = services;
  app.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });

  app.get('', {
    schema: { ...publicRoute, summary: 'The identity provider this Paved signs people in with', operationId: 'oidcInfo', response: { 200: OidcInfo, ...problemResponses } },
  }, async () => oidc.info());

  app.get('/login', {
    schema: {
      ...publicRoute, operationId: 'oidcLogin', querystring: LoginQuery, response: { ...redirect, ...problemResponses },
      summary: 'Start signing in with the identity provider (authorization code with PKCE); redirects the browser there',
    },
  }, async (request, reply) => {
    const { port, challenge } = request.query;
    if ((port === undefined) !== (challenge === undefined)) {
      throw new InputError('port and challenge go together (the CLI browser hand-off)', { issues: [{ path: 'query.port', message: 'needs challenge, and challenge needs port' }] });
    }
    signInStart(request, reply);
    const started = await oidc.startLogin(port === undefined || challenge === undefined ? {} : { handoff: { port, challenge } });
    cookies.setState(reply, started.state, started.ttlSeconds);
    return reply.redirect(started.url, 302);
  });

  app.get('/callback', {
    // Its URL holds the authorization code and state: never in a request log line.
    logLevel: 'warn',
    schema: {
      ...publicRoute, operationId: 'oidcCallback', querystring: CallbackQuery,
      summary: 'Where the identity provider sends the browser back: signs the user in (a session cookie), or hands off to the CLI',
      response: { 200: Type.String({ description: 'A page saying who is signed in (text/html)' }), ...redirect, ...problemResponses },
    },
  }, async (request, reply) => {
    // Every parameter as sent, for openid-client's checks (the schema has already bounded them).
    const query = new URLSearchParams(request.url.split('?')[1] ?? '');
    const outcome = await oidc.finishLogin(query, cookies.stateOf(request), originOf(request));
    if (outcome.kind === 'handoff') {
      reply.header('set-cookie', cookies.clearState());
      return reply.redirect(outcome.redirect, 302);
    }
    cookies.setSession(reply, outcome.session.token, outcome.ttlSeconds);
    return reply
      .header('content-security-policy', "default-src 'none'")
      .header('referrer-policy', 'no-referrer')
      .type('text/html; charset=utf-8')
      .send(signedInPage(outcome.user.name));
  });

  app.post('/handoff', {
    schema: {
      ...publicRoute, operationId: 'oidcRedeemHandoff', body: RedeemHandoffRequest, response: { 200: IssuedToken, ...problemResponses },
      summary: "The CLI's browser hand-off: exchange the code from the loopback redirect and the CLI's verifier for a session token",
    },
  }, async (request) => oidc.redeemHandoff(request.body, originOf(request)));

  app.post('/device', {
    schema: {
      ...publicRoute, operationId: 'oidcStartDevice', response: { 200: DeviceLogin, ...problemResponses },
      summary: 'Start a device sign-in (RFC 8628) for the CLI: a code for the person to enter at the provider',
    },
  }, async (request, reply) => {
    signInStart(request, reply);
    return oidc.startDevice();
  });

  app.post('/device/token', {
    schema: {
      ...publicRoute, operationId: 'oidcPollDevice', body: PollDeviceRequest, response: { 200: DevicePoll, ...problemResponses },
      summary: 'Poll a device sign-in at its interval: pending, slow_down (wait longer), or signed in with a session token',
    },
  }, async (request) => oidc.pollDevice(request.body, originOf(request)));
};

/** Routes of signed-in callers about sign-in: linking a user to a subject, ending a session. */
export const sessionRoutes: FastifyPluginAsyncTypebox<Options> = async (app, { services, cookies }) => {
  const { oidc } = services;

  app.put('/users/:user/identity', {
    schema: {
      summary: 'Link a user to their subject at the identity provider, so signing in is them (platform admin)', tags: ['users'], operationId: 'linkUserIdentity',
      params: Type.Object({ user: Name }), body: LinkIdentityRequest, response: { 200: UserIdentity, ...problemResponses },
    },
  }, async (request) => oidc.linkUser(principalOf(request), request.params.user, request.body));

  app.post('/auth/logout', {
    schema: {
      summary: 'End the sign-in session in use: its token stops working, and a browser\'s session cookies are cleared', tags: ['sign-in'], operationId: 'logout',
      response: { 204: Type.Null({ description: 'Signed out' }), ...problemResponses },
    },
  }, async (request, reply) => {
    await oidc.endSession(principalOf(request));
    cookies.clearSession(reply);
    return reply.status(204).send(null);
  });
};

function signedInPage(user: string): string {
  const name = user.replace(/[^a-z0-9-]/g, '');
  return `<!doctype html><html><head><meta charset="utf-8"><title>Signed in to Paved</title></head>`
    + `<body><h1>Signed in to Paved as ${name}</h1><p><a href="/products">Open the portal</a>, or close this window.</p></body></html>\n`;
}
