import { Type } from 'typebox';
import { Name, Timestamp } from '../http/schemas.js';

export const TeamRole = Type.Union([Type.Literal('owner'), Type.Literal('member'), Type.Literal('viewer')]);

export const User = Type.Object({
  id: Type.String(),
  name: Type.String(),
  admin: Type.Boolean({ description: 'Platform admin: may create teams, publish products and act on every team' }),
  createdAt: Timestamp,
}, { title: 'User' });

export const Team = Type.Object({
  id: Type.String(),
  name: Type.String(),
  title: Type.String(),
  createdAt: Timestamp,
}, { title: 'Team' });

export const Membership = Type.Object({
  teamId: Type.String(),
  teamName: Type.String(),
  userId: Type.String(),
  userName: Type.String(),
  role: TeamRole,
}, { title: 'Membership' });

export const WhoAmI = Type.Object({ user: User, memberships: Type.Array(Membership) });

export const CreateUserRequest = Type.Object({
  name: Name,
  admin: Type.Optional(Type.Boolean()),
}, { additionalProperties: false });

export const CreatedUser = Type.Object({
  user: User,
  token: Type.String({ description: 'Shown once; only its hash is stored' }),
});

export const CreateTokenRequest = Type.Object({ name: Name }, { additionalProperties: false });
export const IssuedToken = Type.Object({ token: Type.String({ description: 'Shown once; only its hash is stored' }) });

export const CreateTeamRequest = Type.Object({
  name: Name,
  title: Type.Optional(Type.String({ maxLength: 200 })),
}, { additionalProperties: false });

export const SetMembershipRequest = Type.Object({ role: TeamRole }, { additionalProperties: false });
