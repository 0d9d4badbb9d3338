import { NotAllowedError, type AdoptionMeasures } from '@paved/model';
import type { Store } from '@paved/store';
import { teamFor, type Principal } from '../../access/principal.js';
import { seesPlatformMeasures } from '../products/owner-access.js';
import type { AdoptionQuery, AdoptionService } from './service.js';

/**
 * Platform-wide adoption is the platform's own product measure: platform team members and
 * platform admins see it. A team's own numbers (`team`) are for its members and admins.
 */
export class AuthorizedAdoptionService implements AdoptionService {
  constructor(private readonly inner: AdoptionService, private readonly store: Store) {}

  async get(principal: Principal, query: AdoptionQuery): Promise<AdoptionMeasures> {
    if (query.team !== undefined) {
      await teamFor(this.store, principal, query.team, 'read');
    } else if (!seesPlatformMeasures(principal)) {
      throw new NotAllowedError('Platform-wide adoption is for platform teams and platform admins; see your team\'s with: paved metrics adoption --team TEAM', {
        code: 'not_platform_team',
      });
    }
    return this.inner.get(principal, query);
  }
}
