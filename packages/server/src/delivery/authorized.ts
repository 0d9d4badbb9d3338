import type {
  DeliveryRecorded, RecordChangeRequest, RecordDeploymentRequest, RecordIncidentRequest, SetWebhookSecretRequest,
  WebhookOutcome, WebhookSettings, WebhookSource,
} from '@paved/model';
import type { Store } from '@paved/store';
import { requireAdmin, teamFor, type Principal } from '../access/principal.js';
import type { DeliveryService, WebhookHeaders } from './service.js';

/**
 * Webhooks are authenticated by their signatures (in the service: there is no principal).
 * Recording events through the API needs write access to the service's team: a member or owner,
 * typically through a CI token limited to the team. Webhook secrets are platform admins' only.
 */
export class AuthorizedDeliveryService implements DeliveryService {
  constructor(private readonly inner: DeliveryService, private readonly store: Store) {}

  receiveWebhook(source: WebhookSource, headers: WebhookHeaders, rawBody: Buffer): Promise<WebhookOutcome> {
    return this.inner.receiveWebhook(source, headers, rawBody);
  }

  async recordDeployment(principal: Principal, team: string, service: string, request: RecordDeploymentRequest): Promise<DeliveryRecorded> {
    await teamFor(this.store, principal, team, 'write');
    return this.inner.recordDeployment(principal, team, service, request);
  }

  async recordChange(principal: Principal, team: string, service: string, request: RecordChangeRequest): Promise<DeliveryRecorded> {
    await teamFor(this.store, principal, team, 'write');
    return this.inner.recordChange(principal, team, service, request);
  }

  async recordIncident(principal: Principal, team: string, service: string, request: RecordIncidentRequest): Promise<DeliveryRecorded> {
    await teamFor(this.store, principal, team, 'write');
    return this.inner.recordIncident(principal, team, service, request);
  }

  webhookSettings(principal: Principal): Promise<WebhookSettings[]> {
    requireAdmin(principal, 'see the webhook settings', 'read');
    return this.inner.webhookSettings(principal);
  }

  setWebhookSecret(principal: Principal, source: WebhookSource, request: SetWebhookSecretRequest): Promise<WebhookSettings> {
    requireAdmin(principal, 'set a webhook secret');
    return this.inner.setWebhookSecret(principal, source, request);
  }
}
