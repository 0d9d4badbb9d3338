import { Type } from '#typebox';
import { IssuedToken } from '../schemas.js';

/** A base64url secret handed out by Paved (a login id, a hand-off code) or made by the CLI (a PKCE verifier). */
const Handle = Type.String({ minLength: 43, maxLength: 128, pattern: '^[A-Za-z0-9_~.-]+$' });

export const OidcInfo = Type.Object({
  issuer: Type.String({ description: 'The identity provider Paved signs people in with' }),
  deviceFlow: Type.Boolean({ description: 'Whether the provider offers the device flow (paved login --oidc uses it)' }),
}, { title: 'OidcInfo' });

export const LoginQuery = Type.Object({
  port: Type.Optional(Type.Integer({ minimum: 1024, maximum: 65535, description: "CLI browser hand-off: the CLI's listener on 127.0.0.1" })),
  challenge: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{43}$', description: "CLI browser hand-off: BASE64URL(SHA-256(verifier)) of the CLI's own verifier" })),
}, { additionalProperties: false });

/** What the provider sends back; every parameter is passed on to openid-client's checks. */
export const CallbackQuery = Type.Object({
  state: Type.Optional(Type.String({ maxLength: 512 })),
  code: Type.Optional(Type.String({ maxLength: 4096 })),
  error: Type.Optional(Type.String({ maxLength: 256 })),
}, { additionalProperties: Type.String({ maxLength: 4096 }) });

export const RedeemHandoffRequest = Type.Object({ code: Handle, verifier: Handle }, { additionalProperties: false });

export const DeviceLogin = Type.Object({
  loginId: Type.String({ description: 'Secret: poll with it; shown once' }),
  userCode: Type.String({ description: 'Show to the person: they enter it at verificationUri' }),
  verificationUri: Type.String(),
  verificationUriComplete: Type.Optional(Type.String({ description: 'verificationUri with the code filled in' })),
  expiresIn: Type.Integer({ description: 'Seconds until the code expires' }),
  interval: Type.Integer({ description: 'Seconds to wait between polls' }),
}, { title: 'DeviceLogin' });

export const PollDeviceRequest = Type.Object({ loginId: Handle }, { additionalProperties: false });

export const DevicePoll = Type.Union([
  Type.Object({ status: Type.Union([Type.Literal('pending'), Type.Literal('slow_down')]), interval: Type.Integer({ description: 'Seconds to wait before the next poll' }) }),
  Type.Object({ status: Type.Literal('signed-in'), token: Type.String({ description: 'The session token, shown once' }), info: IssuedToken.properties.info }),
], { title: 'DevicePoll' });

export const LinkIdentityRequest = Type.Object({
  subject: Type.String({ minLength: 1, maxLength: 255, description: "The user's subject (`sub`) at the configured identity provider" }),
}, { additionalProperties: false });

export const UserIdentity = Type.Object({ user: Type.String(), issuer: Type.String(), subject: Type.String() }, { title: 'UserIdentity' });
