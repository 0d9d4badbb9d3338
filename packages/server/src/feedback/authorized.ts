import {
  NotAllowedError, isPavedError,
  type FeedbackReceipt, type FeedbackRequest, type HelpReceipt, type HelpRequest, type HelpRequestInput, type Page, type PageRequest, type ProductFeedback,
} from '@paved/model';
import type { Store } from '@paved/store';
import { requireUnscopedToken, teamFor, type Principal, type TeamAccess } from '../access/principal.js';
import { instanceNotFound } from '../instances/service.js';
import { requireProductOwner } from '../metrics/products/owner-access.js';
import type { FeedbackQuery, FeedbackService } from './service.js';

/**
 * Anyone signed in may score a product, as a person: read-only and team-limited (CI) tokens may
 * not. Feedback about an instance needs a role in its team; outside it the name stays hidden.
 * Asking for help about an instance is for the team's members and owners, like any act on it.
 * Satisfaction, comments and help requests are for the product's owner team and admins.
 */
export class AuthorizedFeedbackService implements FeedbackService {
  constructor(private readonly inner: FeedbackService, private readonly store: Store) {}

  async give(principal: Principal, product: string, request: FeedbackRequest): Promise<FeedbackReceipt> {
    requireUnscopedToken(principal, 'give feedback');
    if (request.instance !== undefined) await this.instanceAccess(principal, request.instance.team, request.instance.name, 'read');
    return this.inner.give(principal, product, request);
  }

  async read(principal: Principal, product: string, query: FeedbackQuery): Promise<ProductFeedback> {
    await requireProductOwner(this.store, principal, product, 'its feedback');
    return this.inner.read(principal, product, query);
  }

  async askForHelp(principal: Principal, team: string, instance: string, input: HelpRequestInput): Promise<HelpReceipt> {
    await this.instanceAccess(principal, team, instance, 'write');
    return this.inner.askForHelp(principal, team, instance, input);
  }

  async helpRequests(principal: Principal, product: string, page: PageRequest): Promise<Page<HelpRequest>> {
    await requireProductOwner(this.store, principal, product, 'its help requests');
    return this.inner.helpRequests(principal, product, page);
  }

  /** As for the instance routes: outsiders get "not found" for every name; insiders with too small a role 403. */
  private async instanceAccess(principal: Principal, team: string, name: string, access: TeamAccess): Promise<void> {
    try {
      await teamFor(this.store, principal, team, access);
    } catch (error) {
      if (error instanceof NotAllowedError && error.code === 'not_team_member') throw instanceNotFound(team, name);
      if (isPavedError(error) && error.code === 'role_insufficient') {
        const found = await this.store.getTeam({ name: team });
        if (found && !(await this.store.getInstanceByName(found.id, name))) throw instanceNotFound(team, name);
      }
      throw error;
    }
  }
}
