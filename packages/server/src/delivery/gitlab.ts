import type { DeliveryFact, DeliveryRepositoryRef, DeploymentStatusFact } from '@paved/store';
import type { Normalised } from './github.js';
import { Payload } from './payload.js';
import { gitlabRepository } from './repositories.js';
import { optionalTimestamp, parseTimestamp } from './timestamps.js';

/**
 * A GitLab webhook delivery as delivery facts, by the payload's `object_kind`. Shapes: GitLab's
 * documented hook bodies (fixtures/webhooks/gitlab/). Times come as ISO 8601, `2016-08-12
 * 15:23:28 UTC` or the server's local time with its offset, `2025-03-21 00:40:10 +0100`: all
 * are read with their offsets. What each hook becomes is in docs/metrics/dora.md.
 */

const DEPLOYMENT_STATES: Readonly<Record<string, DeploymentStatusFact['state']>> = {
  success: 'success',
  failed: 'failure',
  canceled: 'failure',
  running: 'pending',
  created: 'pending',
  blocked: 'pending',
};

export function gitlabFacts(body: Payload): Normalised {
  const kind = body.string('object_kind');
  switch (kind) {
    case 'push': return push(body);
    case 'merge_request': return { facts: [mergeRequest(body)] };
    case 'deployment': return { facts: [deployment(body)] };
    case 'issue':
    case 'work_item': return { facts: [issue(body)] };
    case 'pipeline': return { ignored: 'a pipeline is not a deployment: GitLab sends a Deployment Hook for each deployment job' };
    default: return { ignored: `Paved does not use ${kind} hooks` };
  }
}

function project(body: Payload): DeliveryRepositoryRef {
  const project = body.object('project');
  return gitlabRepository(project.string('path_with_namespace'), project.optionalString('web_url'), project.optionalString('default_branch'));
}

function time(payload: Payload, key: string): number {
  const { value, path } = payload.raw(key);
  return parseTimestamp(value, path);
}

function maybeTime(payload: Payload, key: string): number | undefined {
  const { value, path } = payload.raw(key);
  return optionalTimestamp(value, path);
}

function push(body: Payload): Normalised {
  const ref = body.string('ref');
  if (!ref.startsWith('refs/heads/')) return { ignored: `a push to ${ref}, not to a branch` };
  const commits = body.array('commits');
  const head = body.optionalString('checkout_sha');
  const headCommit = commits.find((c) => c.optionalString('id') === head);
  const pushedAt = headCommit === undefined ? undefined : maybeTime(headCommit, 'timestamp');
  return {
    facts: [{
      kind: 'push',
      repo: project(body),
      branch: ref.slice('refs/heads/'.length),
      before: body.string('before'),
      after: body.string('after'),
      ...(pushedAt === undefined ? {} : { pushedAt }),
      // GitLab lists at most the newest 20 commits, with no `distinct` flag: each is new to the branch.
      commits: commits.map((commit) => {
        const at = maybeTime(commit, 'timestamp');
        return { sha: commit.string('id'), ...(at === undefined ? {} : { at }), distinct: true };
      }),
    }],
  };
}

function mergeRequest(body: Payload): DeliveryFact {
  const mr = body.object('object_attributes');
  const state = mr.string('state');
  const merged = state === 'merged';
  const updated = time(mr, 'updated_at');
  // No merged_at in older payloads: the merge event's updated_at is the merge.
  const mergedAt = maybeTime(mr, 'merged_at') ?? (merged && mr.optionalString('action') === 'merge' ? updated : undefined);
  const mergeSha = mr.optionalString('merge_commit_sha') ?? mr.optionalString('squash_commit_sha')
    ?? (merged ? mr.optionalObject('last_commit')?.optionalString('id') : undefined);
  return {
    kind: 'change',
    repo: project(body),
    source: 'gitlab',
    id: mr.id('iid'),
    ...(mr.optionalString('title') ? { title: mr.string('title') } : {}),
    headBranch: mr.string('source_branch'),
    ...(merged && mergeSha !== undefined ? { mergeSha } : {}),
    state: merged ? 'merged' : state === 'closed' ? 'closed' : 'open',
    openedAt: time(mr, 'created_at'),
    ...(mergedAt === undefined ? {} : { mergedAt }),
    at: updated,
  };
}

function deployment(body: Payload): DeliveryFact {
  const rawState = body.string('status');
  const state = DEPLOYMENT_STATES[rawState] ?? 'pending';
  const at = time(body, 'status_changed_at');
  const sha = /\/commit\/([0-9a-f]{7,64})/i.exec(body.optionalString('commit_url') ?? '')?.[1];
  return {
    kind: 'deployment-status',
    repo: project(body),
    source: 'gitlab',
    id: body.id('deployment_id'),
    environment: body.string('environment'),
    ...(sha === undefined ? {} : { sha: sha.toLowerCase() }),
    ...(rawState === 'running' ? { startedAt: at } : {}),
    state,
    at,
    seq: 0,
  };
}

function issue(body: Payload): DeliveryFact {
  const attributes = body.object('object_attributes');
  const labels = attributes.has('labels') ? attributes.array('labels') : body.array('labels');
  const closed = attributes.optionalString('state') === 'closed';
  const created = time(attributes, 'created_at');
  const resolved = closed ? maybeTime(attributes, 'closed_at') ?? maybeTime(attributes, 'updated_at') : undefined;
  return {
    kind: 'issue',
    repo: project(body),
    source: 'gitlab',
    id: attributes.id('iid'),
    ...(attributes.optionalString('title') ? { title: attributes.string('title') } : {}),
    labels: labels.map((label) => label.string('title')),
    state: closed ? 'closed' : 'open',
    createdAt: created,
    ...(resolved === undefined ? {} : { resolvedAt: resolved }),
    at: maybeTime(attributes, 'updated_at') ?? resolved ?? created,
  };
}
