/**
 * Every named crash point of a pass, in the order a pass meets them (`<step>`: a deletion
 * step's name; `<part>`: a composite's include). The engine calls `EngineOptions.failpoint`
 * at each; a failpoint that throws ends the pass as if the process died there, and the crash
 * tests check that whatever a crash at each point leaves behind is resumed. Pass.crashPoint
 * accepts only these names, so the list cannot drift from the code.
 */
export const FAILPOINTS = [
  'create:after-intent',
  'create:after-driver',
  'create:after-secrets',
  'update:after-intent',
  'update:after-driver',
  'update:after-secrets',
  'revoke:after-intent',
  'rotate:after-intent',
  'rotate:after-driver',
  'delete:before:<step>',
  'delete:after:<step>',
  'delete:before-forget',
  'composite:after-create:<part>',
  // Fleet rollouts (rollout-worker.ts): an instance marked upgrading before its version moves; a wave soaked and the next one recorded.
  'rollout:after-intent',
  'rollout:after-wave',
] as const;

type Expand<P> = P extends `${infer Head}<${string}>` ? `${Head}${string}` : P;

/** A failpoint name: one of FAILPOINTS with its placeholder filled in ('delete:before:drop'). */
export type Failpoint = Expand<(typeof FAILPOINTS)[number]>;
