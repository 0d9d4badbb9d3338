import {
  InputError, UnauthenticatedError, assertName,
  type DeliveryRecorded, type RecordChangeRequest, type RecordDeploymentRequest, type RecordIncidentRequest,
  type SetWebhookSecretRequest, type Service, type WebhookOutcome, type WebhookSettings, type WebhookSource,
} from '@paved/model';
import type { DeliveryFact, DeliveryRules, Store } from '@paved/store';
import { findTeam, type Principal } from '../access/principal.js';
import { serviceNotFound } from '../catalog/services/service.js';
import { githubFacts, type Normalised } from './github.js';
import type { DeliveryInbox } from './inbox.js';
import { gitlabFacts } from './gitlab.js';
import { Payload } from './payload.js';
import { serviceRepository } from './repositories.js';
import { githubSignatureValid, gitlabTokenValid } from './signatures.js';
import { optionalTimestamp, parseTimestamp } from './timestamps.js';
import { DEFAULT_PREVIOUS_VALID_SECONDS, type WebhookSecrets } from './webhook-secrets.js';

/** The headers a webhook route hands over (Node lower-cases their names). */
export type WebhookHeaders = Record<string, string | string[] | undefined>;

/** Delivery events in: signed webhooks from GitHub and GitLab, and the generic API for anything else. */
export interface DeliveryService {
  /**
   * Authenticates a delivery by its signature, then queues its facts (applied shortly after by
   * the inbox's drainer; docs/metrics/dora.md "Ingestion"). No principal: the signature is the caller.
   */
  receiveWebhook(source: WebhookSource, headers: WebhookHeaders, rawBody: Buffer): Promise<WebhookOutcome>;
  recordDeployment(principal: Principal, team: string, service: string, request: RecordDeploymentRequest): Promise<DeliveryRecorded>;
  recordChange(principal: Principal, team: string, service: string, request: RecordChangeRequest): Promise<DeliveryRecorded>;
  recordIncident(principal: Principal, team: string, service: string, request: RecordIncidentRequest): Promise<DeliveryRecorded>;
  webhookSettings(principal: Principal): Promise<WebhookSettings[]>;
  setWebhookSecret(principal: Principal, source: WebhookSource, request: SetWebhookSecretRequest): Promise<WebhookSettings>;
}

export interface DeliveryServiceDeps {
  store: Store;
  rules: DeliveryRules;
  secrets: WebhookSecrets;
  /** Where webhook deliveries wait until they are applied. */
  inbox: DeliveryInbox;
  now: () => number;
}

const header = (headers: WebhookHeaders, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

const SECRET_COMMAND: Readonly<Record<WebhookSource, string>> = {
  github: 'paved events webhook-secret github',
  gitlab: 'paved events webhook-secret gitlab',
};

export class DefaultDeliveryService implements DeliveryService {
  constructor(private readonly deps: DeliveryServiceDeps) {}

  async receiveWebhook(source: WebhookSource, headers: WebhookHeaders, rawBody: Buffer): Promise<WebhookOutcome> {
    const done = this.deps.inbox.receiving();
    try {
      return await this.receive(source, headers, rawBody);
    } finally {
      done();
    }
  }

  private async receive(source: WebhookSource, headers: WebhookHeaders, rawBody: Buffer): Promise<WebhookOutcome> {
    await this.authenticate(source, headers, rawBody);
    const event = source === 'github' ? header(headers, 'x-github-event') : header(headers, 'x-gitlab-event');
    if (event === undefined || event === '') {
      const name = source === 'github' ? 'X-GitHub-Event' : 'X-Gitlab-Event';
      throw new InputError(`The delivery has no ${name} header`, { code: 'webhook_event_missing', issues: [{ path: `headers.${name.toLowerCase()}`, message: 'is required' }] });
    }
    const body = Payload.parse(bodyJson(headers, rawBody));
    const now = this.deps.now();
    const normalised: Normalised = source === 'github' ? githubFacts(event, body, now) : gitlabFacts(body);
    if ('ignored' in normalised) return { outcome: 'ignored', reason: normalised.ignored };
    // GitHub's delivery GUID and GitLab's event UUID are the same on a redelivery.
    const deliveryId = source === 'github'
      ? header(headers, 'x-github-delivery')
      : header(headers, 'x-gitlab-event-uuid') ?? header(headers, 'idempotency-key');
    const outcome = await this.deps.store.queueDelivery({
      source, event, facts: normalised.facts, ...(deliveryId ? { deliveryId: deliveryId.slice(0, 200) } : {}),
    });
    if (outcome === 'queued') this.deps.inbox.kick();
    return { outcome };
  }

  private async authenticate(source: WebhookSource, headers: WebhookHeaders, rawBody: Buffer): Promise<void> {
    const check = (secrets: string[]) => source === 'github'
      ? githubSignatureValid(header(headers, 'x-hub-signature-256'), rawBody, secrets)
      : gitlabTokenValid(header(headers, 'x-gitlab-token'), secrets);
    const { secrets } = this.deps;
    let candidates = await secrets.valid(source);
    if (check(candidates)) return;
    // Another API process may have just changed the secret.
    if (secrets.mayRefresh(source)) {
      candidates = await secrets.valid(source, true);
      if (check(candidates)) return;
    }
    if (candidates.length === 0) {
      throw new UnauthenticatedError(`No ${source === 'github' ? 'GitHub webhook secret' : 'GitLab secret token'} is configured, so no delivery can be verified; a platform admin sets one: ${SECRET_COMMAND[source]}`, { code: 'webhook_secret_missing' });
    }
    throw source === 'github'
      ? new UnauthenticatedError('The delivery is not signed with the webhook secret: X-Hub-Signature-256 is missing or does not match the body', { code: 'webhook_signature_invalid' })
      : new UnauthenticatedError('The delivery does not carry the secret token: X-Gitlab-Token is missing or wrong', { code: 'webhook_signature_invalid' });
  }

  async recordDeployment(_principal: Principal, team: string, serviceName: string, request: RecordDeploymentRequest): Promise<DeliveryRecorded> {
    const service = await this.service(team, serviceName);
    const finished = parseTimestamp(request.finishedAt, 'finishedAt');
    const started = optionalTimestamp(request.startedAt, 'startedAt');
    if (started !== undefined && started > finished) {
      throw new InputError('startedAt must not be after finishedAt', { code: 'deployment_times_invalid', issues: [{ path: 'startedAt', message: 'is after finishedAt' }] });
    }
    await this.record(service, 'deployment', {
      kind: 'deployment-status', repo: serviceRepository(service), source: 'api', recordedBy: service.teamId, id: request.id, environment: request.environment,
      ...(request.commitSha ? { sha: request.commitSha.toLowerCase() } : {}), ...(request.ref ? { ref: request.ref } : {}),
      startedAt: started ?? finished, state: request.status === 'failure' ? 'failure' : 'success', at: finished, seq: 0, replace: true,
    });
    return { kind: 'deployment', id: request.id, team: service.teamName, service: service.name };
  }

  async recordChange(_principal: Principal, team: string, serviceName: string, request: RecordChangeRequest): Promise<DeliveryRecorded> {
    const service = await this.service(team, serviceName);
    const merged = parseTimestamp(request.mergedAt, 'mergedAt');
    const opened = optionalTimestamp(request.openedAt, 'openedAt');
    const first = optionalTimestamp(request.firstCommitAt, 'firstCommitAt');
    await this.record(service, 'change', {
      kind: 'change', repo: serviceRepository(service), source: 'api', recordedBy: service.teamId, id: request.id, state: 'merged',
      ...(request.title ? { title: request.title } : {}), ...(request.commitSha ? { mergeSha: request.commitSha.toLowerCase() } : {}),
      ...(opened === undefined ? {} : { openedAt: opened }), mergedAt: merged, ...(first === undefined ? {} : { firstCommitAt: first }),
      ...(request.deployment ? { deployment: request.deployment } : {}), at: this.deps.now(), replace: true,
    });
    return { kind: 'change', id: request.id, team: service.teamName, service: service.name };
  }

  async recordIncident(_principal: Principal, team: string, serviceName: string, request: RecordIncidentRequest): Promise<DeliveryRecorded> {
    const service = await this.service(team, serviceName);
    const created = parseTimestamp(request.createdAt, 'createdAt');
    const resolved = optionalTimestamp(request.resolvedAt, 'resolvedAt');
    if (resolved !== undefined && resolved < created) {
      throw new InputError('resolvedAt must not be before createdAt', { code: 'incident_times_invalid', issues: [{ path: 'resolvedAt', message: 'is before createdAt' }] });
    }
    await this.record(service, 'incident', {
      kind: 'issue', repo: serviceRepository(service), source: 'api', recordedBy: service.teamId, id: request.id, labels: [], incident: true,
      ...(request.title ? { title: request.title } : {}), state: resolved === undefined ? 'open' : 'closed', createdAt: created,
      ...(resolved === undefined ? {} : { resolvedAt: resolved }), at: this.deps.now(), replace: true,
    });
    return { kind: 'incident', id: request.id, team: service.teamName, service: service.name };
  }

  async webhookSettings(): Promise<WebhookSettings[]> {
    return Promise.all((['github', 'gitlab'] as const).map((source) => this.deps.secrets.settings(source)));
  }

  async setWebhookSecret(_principal: Principal, source: WebhookSource, request: SetWebhookSecretRequest): Promise<WebhookSettings> {
    return this.deps.secrets.set(source, request.secret, request.previousValidForSeconds ?? DEFAULT_PREVIOUS_VALID_SECONDS);
  }

  private async service(team: string, name: string): Promise<Service> {
    const found = await findTeam(this.deps.store, team);
    const service = await this.deps.store.getService(found.id, assertName('service', name));
    if (!service) throw serviceNotFound(team, name);
    return service;
  }

  /**
   * Facts carry the service's team (recordedBy): records are kept by repository, which any team's
   * service may claim, and the store lets only the team that recorded an id rewrite it (409
   * delivery_id_taken otherwise; docs/metrics/dora.md).
   */
  private async record(service: Service, event: string, fact: DeliveryFact): Promise<void> {
    await this.deps.store.recordDelivery({ source: 'api', event: `${event}:${service.teamName}/${service.name}`, facts: [fact] }, this.deps.rules);
  }
}

/**
 * The JSON of a delivery: the body itself, or (GitHub's "application/x-www-form-urlencoded"
 * content type) its `payload` field. The signature was checked over the raw bytes before this.
 */
function bodyJson(headers: WebhookHeaders, rawBody: Buffer): Buffer {
  const type = (header(headers, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') {
    const payload = new URLSearchParams(rawBody.toString('utf8')).get('payload');
    if (payload === null) throw new InputError('A form-encoded delivery must carry its JSON in the payload field', { code: 'webhook_payload_invalid', issues: [{ path: 'body.payload', message: 'is required' }] });
    return Buffer.from(payload, 'utf8');
  }
  if (type !== '' && type !== 'application/json' && !type.endsWith('+json')) {
    // Fastify's own error for this case, so http/problems.ts answers it as every other route does (415).
    throw Object.assign(new Error('unsupported media type'), { code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', statusCode: 415 });
  }
  return rawBody;
}

