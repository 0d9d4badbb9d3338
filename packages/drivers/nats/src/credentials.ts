import { encodeJwt, formatCreds } from './jwt.js';
import type { InstanceKeys } from './keys.js';
import { subjectsOf } from './stream.js';

/**
 * What the tenant's user may publish and subscribe to: its own subjects, the JetStream API of
 * its own stream only (no stream create/update/delete: the plan sets the limits), acks and flow
 * control of its consumers, and reply inboxes.
 */
export function userPermissions(externalName: string): { pub: { allow: string[] }; sub: { allow: string[] } } {
  const s = externalName;
  return {
    pub: {
      allow: [
        subjectsOf(s),
        '$JS.API.INFO',
        `$JS.API.STREAM.INFO.${s}`,
        `$JS.API.STREAM.MSG.GET.${s}`,
        `$JS.API.STREAM.MSG.DELETE.${s}`,
        `$JS.API.STREAM.PURGE.${s}`,
        `$JS.API.DIRECT.GET.${s}`,
        `$JS.API.DIRECT.GET.${s}.>`,
        `$JS.API.CONSUMER.CREATE.${s}`,
        `$JS.API.CONSUMER.CREATE.${s}.>`,
        `$JS.API.CONSUMER.DURABLE.CREATE.${s}.>`,
        `$JS.API.CONSUMER.DELETE.${s}.>`,
        `$JS.API.CONSUMER.INFO.${s}.>`,
        `$JS.API.CONSUMER.LIST.${s}`,
        `$JS.API.CONSUMER.NAMES.${s}`,
        `$JS.API.CONSUMER.MSG.NEXT.${s}.>`,
        `$JS.ACK.${s}.>`,
        `$JS.FC.${s}.>`,
        '_INBOX.>',
      ],
    },
    sub: { allow: [subjectsOf(s), '_INBOX.>'] },
  };
}

/**
 * The tenant's .creds: a user JWT signed by the account's signing key, minted offline (no server
 * call). 'stable' identity: the same secrets give the same text, so a repeated create hands out
 * identical outputs.
 */
export function userCreds(keys: InstanceKeys, externalName: string): string {
  const jwt = encodeJwt(
    {
      sub: keys.user.publicKey,
      name: externalName,
      nats: { type: 'user', issuer_account: keys.account.publicKey, subs: -1, data: -1, payload: -1, ...userPermissions(externalName) },
    },
    keys.signing,
    { identity: 'stable' },
  );
  return formatCreds(jwt, keys.user.seed);
}
