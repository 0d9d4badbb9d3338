import { InputError, type DoraMetrics, type DoraQuery } from '@paved/model';
import type { Store } from '@paved/store';
import { teamFor, type Principal } from '../../access/principal.js';
import type { DoraService } from './service.js';

/**
 * Whoever may read a team reads its metrics and its services' (viewers included; read-only
 * tokens too). Without a team, the report covers what the caller may read: their own teams (a
 * CI token's one team), every team for platform admins; so it needs no check beyond sign-in.
 */
export class AuthorizedDoraService implements DoraService {
  constructor(private readonly inner: DoraService, private readonly store: Store) {}

  async metrics(principal: Principal, query: DoraQuery): Promise<DoraMetrics> {
    if (query.service !== undefined && query.team === undefined) {
      throw new InputError('A service is named within its team: pass team with service', { code: 'service_team_required', issues: [{ path: 'team', message: 'is required with service' }] });
    }
    if (query.team !== undefined) await teamFor(this.store, principal, query.team, 'read');
    return this.inner.metrics(principal, query);
  }
}
