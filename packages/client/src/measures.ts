import type {
  AdoptionMeasures, FeedbackReceipt, FeedbackRequest, HelpReceipt, HelpRequest, InterventionInput, InterventionMeasures, Page, ProductFeedback,
  ProductMeasures, RecordedIntervention,
} from '@paved/model';
import type { Transport } from './transport.js';

const seg = encodeURIComponent;

/** The platform's own measures, feedback and help requests (docs/metrics/README.md). */
export interface MeasuresClient {
  /** Analytics of the products the caller's platform teams own (every product for admins); `since` e.g. 30d. */
  listProductMeasures(query?: { since?: string }): Promise<{ items: ProductMeasures[] }>;
  getProductMeasures(product: string, query?: { since?: string }): Promise<ProductMeasures>;
  getAdoption(query?: { team?: string; weeks?: number }): Promise<AdoptionMeasures>;
  getInterventions(query?: { team?: string; product?: string; weeks?: number }): Promise<InterventionMeasures>;
  /** Records a manual fix or an approval on a team's instance (the product's owner team, admins). */
  recordIntervention(team: string, instance: string, input: InterventionInput): Promise<RecordedIntervention>;
  giveFeedback(product: string, request: FeedbackRequest): Promise<FeedbackReceipt>;
  getProductFeedback(product: string, query?: { weeks?: number; cursor?: string; limit?: number }): Promise<ProductFeedback>;
  requestHelp(team: string, instance: string, message: string): Promise<HelpReceipt>;
  listHelpRequests(product: string, query?: { cursor?: string; limit?: number }): Promise<Page<HelpRequest>>;
}

export function measuresClient(http: Transport): MeasuresClient {
  const instancePath = (team: string, name: string) => `/api/v1/teams/${seg(team)}/instances/${seg(name)}`;
  return {
    listProductMeasures: (q = {}) => http.json('GET', '/api/v1/metrics/products', { query: { since: q.since } }),
    getProductMeasures: (product, q = {}) => http.json('GET', `/api/v1/metrics/products/${seg(product)}`, { query: { since: q.since } }),
    getAdoption: (q = {}) => http.json('GET', '/api/v1/metrics/adoption', { query: { team: q.team, weeks: q.weeks } }),
    getInterventions: (q = {}) => http.json('GET', '/api/v1/metrics/interventions', { query: { team: q.team, product: q.product, weeks: q.weeks } }),
    recordIntervention: (team, instance, input) => http.json('POST', `${instancePath(team, instance)}/interventions`, { body: input }),
    giveFeedback: (product, request) => http.json('POST', `/api/v1/products/${seg(product)}/feedback`, { body: request }),
    getProductFeedback: (product, q = {}) => http.json('GET', `/api/v1/products/${seg(product)}/feedback`, { query: { weeks: q.weeks, cursor: q.cursor, limit: q.limit } }),
    requestHelp: (team, instance, message) => http.json('POST', `${instancePath(team, instance)}/help`, { body: { message } }),
    listHelpRequests: (product, q = {}) => http.json('GET', `/api/v1/products/${seg(product)}/help-requests`, { query: { cursor: q.cursor, limit: q.limit } }),
  };
}
