import type { DeliveryFact, DeliveryRepositoryRef, DeploymentStatusFact } from '@paved/store';
import { Payload } from './payload.js';
import { githubRepository } from './repositories.js';
import { optionalTimestamp, parseTimestamp } from './timestamps.js';

/**
 * A GitHub webhook delivery (X-GitHub-Event) as delivery facts. Shapes: octokit/webhooks'
 * payload schemas (fixtures/webhooks/github/). What each event becomes is in
 * docs/metrics/dora.md "What Paved reads from GitHub".
 */
export type Normalised = { facts: DeliveryFact[] } | { ignored: string };

const DEPLOYMENT_STATES: Readonly<Record<string, DeploymentStatusFact['state']>> = {
  success: 'success',
  failure: 'failure',
  error: 'failure',
  inactive: 'inactive',
  pending: 'pending',
  queued: 'pending',
  in_progress: 'pending',
  waiting: 'pending',
};

export function githubFacts(event: string, body: Payload, receivedAt: number): Normalised {
  switch (event) {
    case 'ping': return { ignored: 'ping: the webhook is set up' };
    case 'deployment': return { ignored: 'a deployment event carries no outcome: Paved reads its deployment_status events' };
    case 'push': return push(body);
    case 'pull_request': return { facts: [pullRequest(body)] };
    case 'deployment_status': return { facts: [deploymentStatus(body)] };
    case 'issues': return { facts: [issue(body, receivedAt)] };
    default: return { ignored: `Paved does not use ${event} events` };
  }
}

function repository(body: Payload): DeliveryRepositoryRef {
  const repo = body.object('repository');
  return githubRepository(repo.string('full_name'), repo.optionalString('html_url'), repo.optionalString('default_branch'));
}

function push(body: Payload): Normalised {
  const ref = body.string('ref');
  if (!ref.startsWith('refs/heads/')) return { ignored: `a push to ${ref}, not to a branch` };
  if (body.boolean('deleted', false)) return { ignored: `branch ${ref.slice('refs/heads/'.length)} deleted` };
  const pushedAt = body.object('repository').optionalNumber('pushed_at');
  return {
    facts: [{
      kind: 'push',
      repo: repository(body),
      branch: ref.slice('refs/heads/'.length),
      before: body.string('before'),
      after: body.string('after'),
      ...(pushedAt === undefined ? {} : { pushedAt: pushedAt * 1000 }),
      commits: body.array('commits').map((commit) => ({
        sha: commit.string('id'),
        ...withTime(commit, 'timestamp'),
        distinct: commit.boolean('distinct', true),
      })),
    }],
  };
}

function pullRequest(body: Payload): DeliveryFact {
  const pr = body.object('pull_request');
  const merged = pr.boolean('merged', false) || pr.has('merged_at');
  const opened = parseTimestamp(pr.raw('created_at').value, pr.raw('created_at').path);
  const mergedAt = optionalTimestamp(pr.raw('merged_at').value, pr.raw('merged_at').path);
  const updated = optionalTimestamp(pr.raw('updated_at').value, pr.raw('updated_at').path);
  return {
    kind: 'change',
    repo: repository(body),
    source: 'github',
    id: pr.id('number'),
    ...(pr.optionalString('title') ? { title: pr.string('title') } : {}),
    headBranch: pr.object('head').string('ref'),
    // On an open pull request merge_commit_sha is GitHub's test merge: only a merged one's counts.
    ...(merged && pr.has('merge_commit_sha') ? { mergeSha: pr.string('merge_commit_sha') } : {}),
    state: merged ? 'merged' : pr.string('state') === 'open' ? 'open' : 'closed',
    openedAt: opened,
    ...(mergedAt === undefined ? {} : { mergedAt }),
    at: updated ?? mergedAt ?? opened,
  };
}

function deploymentStatus(body: Payload): DeliveryFact {
  const status = body.object('deployment_status');
  const deployment = body.object('deployment');
  const rawState = status.string('state');
  const at = status.has('updated_at') ? parseTimestamp(status.raw('updated_at').value, status.raw('updated_at').path) : parseTimestamp(status.raw('created_at').value, status.raw('created_at').path);
  return {
    kind: 'deployment-status',
    repo: repository(body),
    source: 'github',
    id: deployment.id('id'),
    environment: deployment.optionalString('environment') ?? status.string('environment'),
    ...(deployment.optionalString('sha') ? { sha: deployment.string('sha') } : {}),
    ...(deployment.optionalString('ref') ? { ref: deployment.string('ref') } : {}),
    ...(deployment.has('created_at') ? { startedAt: parseTimestamp(deployment.raw('created_at').value, deployment.raw('created_at').path) } : {}),
    state: DEPLOYMENT_STATES[rawState] ?? 'pending',
    at,
    seq: Number(status.id('id')) || 0,
  };
}

function issue(body: Payload, receivedAt: number): DeliveryFact {
  const action = body.optionalString('action');
  const issue = body.object('issue');
  const created = parseTimestamp(issue.raw('created_at').value, issue.raw('created_at').path);
  const closed = optionalTimestamp(issue.raw('closed_at').value, issue.raw('closed_at').path);
  const updated = optionalTimestamp(issue.raw('updated_at').value, issue.raw('updated_at').path);
  const gone = action === 'deleted' || action === 'transferred';
  const state = gone ? 'deleted' : issue.optionalString('state') === 'closed' ? 'closed' : 'open';
  return {
    kind: 'issue',
    repo: repository(body),
    source: 'github',
    id: issue.id('number'),
    ...(issue.optionalString('title') ? { title: issue.string('title') } : {}),
    labels: issue.array('labels').map((label) => label.string('name')),
    state,
    createdAt: created,
    ...(closed === undefined ? {} : { resolvedAt: closed }),
    // A deletion has no newer updated_at of its own: it wins over everything seen before.
    at: gone ? Math.max(updated ?? created, receivedAt) : updated ?? closed ?? created,
  };
}

function withTime(commit: Payload, key: string): { at?: number } {
  const at = optionalTimestamp(commit.raw(key).value, commit.raw(key).path);
  return at === undefined ? {} : { at };
}
