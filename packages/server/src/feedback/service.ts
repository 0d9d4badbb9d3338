import {
  InputError,
  type FeedbackComment, type FeedbackReceipt, type FeedbackRequest, type HelpReceipt, type HelpRequest, type HelpRequestInput, type Page,
  type PageRequest, type ProductFeedback, type SatisfactionWeek,
} from '@paved/model';
import type { Store, StoredIntervention } from '@paved/store';
import { findTeam, type Principal } from '../access/principal.js';
import { instanceNotFound } from '../instances/service.js';
import { productNotFound } from '../products/service.js';
import { DEFAULT_WEEKS, lastWeeks, weekLabel, windowOf } from '../metrics/window/window.js';
import { supportOf } from './support.js';

export interface FeedbackQuery extends PageRequest {
  weeks?: number;
}

/**
 * Feedback and help requests (docs/metrics/README.md#feedback): what developers think of a
 * product, and their requests for help with one of their instances. Both are for the product's
 * owner team to read; a help request also counts as an intervention on the request.
 */
export interface FeedbackService {
  give(principal: Principal, product: string, request: FeedbackRequest): Promise<FeedbackReceipt>;
  /** Satisfaction per week and the comments, newest first. */
  read(principal: Principal, product: string, query: FeedbackQuery): Promise<ProductFeedback>;
  askForHelp(principal: Principal, team: string, instance: string, input: HelpRequestInput): Promise<HelpReceipt>;
  /** The product's help requests, newest first. */
  helpRequests(principal: Principal, product: string, page: PageRequest): Promise<Page<HelpRequest>>;
}

export class DefaultFeedbackService implements FeedbackService {
  constructor(private readonly deps: { store: Store; now: () => number }) {}

  async give(principal: Principal, product: string, request: FeedbackRequest): Promise<FeedbackReceipt> {
    const { store } = this.deps;
    const latest = await store.latestProductVersion(product);
    if (latest === undefined) throw productNotFound(product);
    let about: { version: string; teamId?: string; instanceId?: string } = { version: latest };
    if (request.instance !== undefined) {
      const team = await findTeam(store, request.instance.team);
      const instance = await store.getInstanceByName(team.id, request.instance.name);
      if (!instance) throw instanceNotFound(team.name, request.instance.name);
      if (instance.product !== product) {
        throw new InputError(`${instance.name} is an instance of ${instance.product}, not ${product}; give feedback on ${instance.product}`, {
          code: 'feedback_product_mismatch', issues: [{ path: 'instance', message: `is a ${instance.product} instance` }],
        });
      }
      about = { version: instance.productVersion, teamId: team.id, instanceId: instance.id };
    }
    const saved = await store.recordFeedback({ product, ...about, userId: principal.user.id, score: request.score, comment: (request.comment ?? '').trim() });
    return { id: saved.id, product, ...(saved.version === undefined ? {} : { version: saved.version }), score: saved.score, at: new Date(saved.at).toISOString() };
  }

  async read(_principal: Principal, product: string, query: FeedbackQuery): Promise<ProductFeedback> {
    const { store } = this.deps;
    const weeks = lastWeeks(query.weeks ?? DEFAULT_WEEKS, this.deps.now());
    const [rows, comments] = await Promise.all([
      store.satisfaction(product, windowOf(weeks)),
      store.listFeedbackComments({ product, ...(query.cursor === undefined ? {} : { cursor: query.cursor }), ...(query.limit === undefined ? {} : { limit: query.limit }) }),
    ]);
    return {
      product,
      weeks: weeks.map((week): SatisfactionWeek => {
        const scores = { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 };
        let total = 0;
        for (const row of rows.filter((r) => r.weekStart === week.start)) {
          scores[String(row.score) as keyof typeof scores] = row.count;
          total += row.score * row.count;
        }
        const responses = Object.values(scores).reduce((a, b) => a + b, 0);
        return { week: weekLabel(week.start), responses, ...(responses === 0 ? {} : { averageScore: total / responses }), scores };
      }),
      comments: comments.items.map((c): FeedbackComment => ({
        id: c.id, at: new Date(c.at).toISOString(), ...(c.version === undefined ? {} : { version: c.version }),
        ...(c.teamName === undefined ? {} : { team: c.teamName }), score: c.score, comment: c.comment,
      })),
      ...(comments.nextCursor === undefined ? {} : { nextCursor: comments.nextCursor }),
    };
  }

  async askForHelp(principal: Principal, teamName: string, name: string, input: HelpRequestInput): Promise<HelpReceipt> {
    const { store } = this.deps;
    const team = await findTeam(store, teamName);
    const instance = await store.getInstanceByName(team.id, name);
    if (!instance) throw instanceNotFound(teamName, name);
    const recorded = await store.recordIntervention({ instanceId: instance.id, kind: 'help', actor: principal.user.name, note: input.message.trim() });
    // A part's request is its composite's: the composite's product and owner are who answer.
    const product = await store.getProductVersion(recorded.product);
    const owner = (await store.getProductOwner(recorded.product)) ?? product?.manifest.metadata.owner ?? '';
    const support = product === undefined ? undefined : supportOf(product.manifest);
    return { ...toHelpRequest(recorded), owner, ...(support === undefined ? {} : { support }) };
  }

  async helpRequests(_principal: Principal, product: string, page: PageRequest): Promise<Page<HelpRequest>> {
    const found = await this.deps.store.listInterventions({
      product, kinds: ['help'], ...(page.cursor === undefined ? {} : { cursor: page.cursor }), ...(page.limit === undefined ? {} : { limit: page.limit }),
    });
    return { items: found.items.map(toHelpRequest), ...(found.nextCursor === undefined ? {} : { nextCursor: found.nextCursor }) };
  }
}

function toHelpRequest(row: StoredIntervention): HelpRequest {
  return {
    id: row.id, at: new Date(row.at).toISOString(), team: row.teamName, instance: row.instanceName, product: row.product,
    ...(row.actor === undefined ? {} : { actor: row.actor }), message: row.note,
  };
}
