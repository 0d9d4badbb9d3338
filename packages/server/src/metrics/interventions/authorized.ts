import { NotAllowedError, type InterventionInput, type InterventionMeasures, type RecordedIntervention } from '@paved/model';
import type { Store } from '@paved/store';
import { can, findTeam, teamFor, type Principal } from '../../access/principal.js';
import { instanceNotFound } from '../../instances/service.js';
import { requireProductOwner } from '../products/owner-access.js';
import type { InterventionQuery, InterventionService } from './service.js';

/**
 * Interventions by product are for the product's owner team (and admins): they show which
 * teams needed them. A team's own (`team`) are for its members. Every team's at once, for
 * platform admins only. Recording a manual fix or an approval is the product owner team's (or
 * an admin's) act; to anyone outside the instance's team its name stays hidden (404).
 */
export class AuthorizedInterventionService implements InterventionService {
  constructor(private readonly inner: InterventionService, private readonly store: Store) {}

  async get(principal: Principal, query: InterventionQuery): Promise<InterventionMeasures> {
    if (query.product !== undefined) {
      try {
        await requireProductOwner(this.store, principal, query.product, 'its interventions across teams');
        return await this.inner.get(principal, query);
      } catch (error) {
        // A team member may still narrow their own team's numbers to one product.
        if (!(error instanceof NotAllowedError) || query.team === undefined) throw error;
      }
    }
    if (query.team !== undefined) {
      await teamFor(this.store, principal, query.team, 'read');
    } else if (!principal.user.admin || principal.token.teamId !== undefined) {
      throw new NotAllowedError('Every team\'s interventions are for platform admins; see your team\'s with --team TEAM, or your product\'s with --product PRODUCT', {
        code: 'admin_required',
      });
    }
    return this.inner.get(principal, query);
  }

  async record(principal: Principal, team: string, instance: string, input: InterventionInput): Promise<RecordedIntervention> {
    const found = await findTeam(this.store, team);
    const row = await this.store.getInstanceByName(found.id, instance);
    const hidden = !can(principal, found.id, 'read');
    if (!row) throw instanceNotFound(team, instance);
    try {
      await requireProductOwner(this.store, principal, row.product, 'record interventions on its instances', 'write');
    } catch (error) {
      if (hidden && error instanceof NotAllowedError) throw instanceNotFound(team, instance);
      throw error;
    }
    return this.inner.record(principal, team, instance, input);
  }
}
