import { Type } from '#typebox';
import { Name, Timestamp } from '../http/schemas.js';

export const TeamRole = Type.Union([Type.Literal('owner'), Type.Literal('member'), Type.Literal('viewer')]);

export const User = Type.Object({
  id: Type.String(),
  name: Type.String(),
  admin: Type.Boolean({ description: 'Platform admin: creates teams and users, marks platform teams, moves product ownership, acts on every team' }),
  disabled: Type.Boolean({ description: "A disabled user's tokens do not work" }),
  createdAt: Timestamp,
}, { title: 'User' });

export const Team = Type.Object({
  id: Type.String(),
  name: Type.String(),
  title: Type.String(),
  platform: Type.Boolean({ description: 'A platform team publishes the products it owns' }),
  parent: Type.Optional(Type.String({ description: 'The team this team belongs to (a Backstage Group parent), when imported' })),
  createdAt: Timestamp,
}, { title: 'Team' });

export const Membership = Type.Object({
  teamId: Type.String(),
  teamName: Type.String(),
  userId: Type.String(),
  userName: Type.String(),
  role: TeamRole,
}, { title: 'Membership' });

export const TokenScope = Type.Object({
  readOnly: Type.Boolean({ description: 'Only reads' }),
  team: Type.Optional(Type.String({ description: 'The only team the token may act for (a CI token)' })),
}, { title: 'TokenScope' });

export const TokenInfo = Type.Object({
  id: Type.String(),
  name: Type.String(),
  user: Type.String(),
  scope: TokenScope,
  createdAt: Timestamp,
  expiresAt: Type.Optional(Timestamp),
}, { title: 'TokenInfo', description: 'An API token as listed: never the token, never its hash' });

export const WhoAmI = Type.Object({ user: User, memberships: Type.Array(Membership), token: TokenInfo });

export const CreateUserRequest = Type.Object({
  name: Name,
  admin: Type.Optional(Type.Boolean()),
}, { additionalProperties: false });

export const CreatedUser = Type.Object({
  user: User,
  token: Type.String({ description: 'Shown once; only its hash is stored' }),
  tokenInfo: TokenInfo,
});

export const UpdateUserRequest = Type.Object({
  disabled: Type.Optional(Type.Boolean({ description: "true: the user's tokens stop working at once" })),
}, { additionalProperties: false });

export const CreateTokenRequest = Type.Object({
  name: Name,
  expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 366, description: 'Default 90' })),
  readOnly: Type.Optional(Type.Boolean()),
  team: Type.Optional(Name),
}, { additionalProperties: false });
export const IssuedToken = Type.Object({ token: Type.String({ description: 'Shown once; only its hash is stored' }), info: TokenInfo });

export const UserParams = Type.Object({ user: Name });
export const TokenParams = Type.Object({ user: Name, token: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9-]+$' }) });

export const CreateTeamRequest = Type.Object({
  name: Name,
  title: Type.Optional(Type.String({ maxLength: 200 })),
  platform: Type.Optional(Type.Boolean({ description: 'A platform team (platform admins only)' })),
}, { additionalProperties: false });

export const UpdateTeamRequest = Type.Object({
  title: Type.Optional(Type.String({ maxLength: 200 })),
  platform: Type.Optional(Type.Boolean({ description: 'Platform admins only' })),
}, { additionalProperties: false });

export const SetMembershipRequest = Type.Object({ role: TeamRole }, { additionalProperties: false });
