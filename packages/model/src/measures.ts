/**
 * The platform's own measures (docs/metrics/): product analytics, adoption, interventions,
 * feedback and help requests, as the API returns them. Every definition is written out in
 * docs/metrics/README.md; times are milliseconds, weeks start on Monday 00:00 UTC.
 */

import type { DeprecatedUse } from './versions/evolution.js';

/**
 * Why a person from outside a team had to act for one of its requests:
 * - `retry`: `paved reconcile` by someone who is not a member of the instance's team;
 * - `act-for-team`: any other write to the instance (request, change, delete, rotate) by such a person;
 * - `help`: the team asked for help about the request (`paved help NAME "message"`);
 * - `manual-fix`: the product's owner team recorded that it fixed something by hand;
 * - `approval`: a person approved the request (recorded by the governance work through the same interface).
 */
export type InterventionKind = 'retry' | 'act-for-team' | 'help' | 'manual-fix' | 'approval';
export const INTERVENTION_KINDS: readonly InterventionKind[] = ['retry', 'act-for-team', 'help', 'manual-fix', 'approval'];

/** How the requests made in a window ended first (docs/metrics/README.md#words). */
export interface RequestOutcomes {
  requested: number;
  /** Reached Ready before failing and before a deletion was asked for. */
  ready: number;
  /** Entered Failed before reaching Ready. */
  failed: number;
  /** Deleted before reaching Ready or Failed. */
  abandoned: number;
  /** None of the above yet. */
  pending: number;
  /** ready / (ready + failed + abandoned); absent when none of them has settled. */
  successRate?: number;
}

/** Request to first Ready, over the requests made in the window that reached Ready. */
export interface TimeToReady {
  /** How many requests the percentiles are over. */
  count: number;
  p50Ms?: number;
  p95Ms?: number;
  /** The product's objective (`spec.slo.timeToReady.p95`) and whether p95 keeps it; absent when it declares none. */
  slo?: { p95Ms: number; met?: boolean };
}

export interface VersionMeasures {
  version: string;
  liveInstances: number;
  adoptingTeams: number;
  requests: RequestOutcomes;
  timeToReady: TimeToReady;
}

export interface ProductMeasures {
  product: string;
  owner: string;
  /** The window of requests the request and time-to-ready figures are over. */
  since: string;
  until: string;
  /** Teams with at least one live instance now. */
  adoptingTeams: number;
  /** Instances that exist now and are not being deleted (parts of composites not counted). */
  liveInstances: number;
  requests: RequestOutcomes;
  timeToReady: TimeToReady;
  /** From a team's creation to its first instance of this product that reached Ready, over the teams that have one. */
  teamOnboarding: Onboarding;
  /** Newest version first; only versions with live instances or requests in the window. */
  versions: VersionMeasures[];
  /** Per team, live instances on a deprecated version (or of the product, when it is deprecated): who still has to move. */
  deprecatedInstances: DeprecatedUse[];
}

export interface Onboarding {
  teams: number;
  p50Ms?: number;
  p95Ms?: number;
}

/** One week (Monday 00:00 UTC to the next Monday) of a series. */
export interface AdoptionWeek {
  /** The Monday the week starts on, YYYY-MM-DD. */
  week: string;
  /** Catalogued services that existed at the end of the week (or now, for the current week). */
  services: number;
  /** Of those, services with at least one live instance from Paved then. */
  adopted: number;
  /** adopted / services; absent when there were no services. */
  share?: number;
}

export interface AdoptionMeasures {
  /** Set when the numbers are one team's. */
  team?: string;
  /** Oldest first; the last is the current week. */
  weeks: AdoptionWeek[];
  /** From a team's creation to its first instance that reached Ready (any product), over the teams that have one. */
  teamOnboarding: Onboarding;
}

export interface InterventionWeek {
  week: string;
  interventions: number;
  byKind: Partial<Record<InterventionKind, number>>;
  /** Requests that reached Ready for the first time in this week. */
  readyRequests: number;
  /** Of those, how many had no intervention before reaching Ready. */
  readyWithoutIntervention: number;
  /** readyWithoutIntervention / readyRequests; absent when none reached Ready. */
  unassistedShare?: number;
}

export interface TeamInterventionWeek {
  team: string;
  week: string;
  interventions: number;
}

export interface InterventionMeasures {
  team?: string;
  product?: string;
  /** Oldest first; the last is the current week. */
  weeks: InterventionWeek[];
  /** Interventions per requesting team per week (weeks without any are left out), by week then team. */
  perTeam: TeamInterventionWeek[];
}

export interface FeedbackRequest {
  /** 1 (poor) to 5 (excellent). */
  score: number;
  comment?: string;
  /** The instance the feedback is about (its product must be this one). */
  instance?: { team: string; name: string };
}

export interface FeedbackReceipt {
  id: string;
  product: string;
  version?: string;
  score: number;
  at: string;
}

export interface SatisfactionWeek {
  week: string;
  responses: number;
  /** Mean score; absent when there were no responses. */
  averageScore?: number;
  /** Responses per score, "1" to "5". */
  scores: Record<'1' | '2' | '3' | '4' | '5', number>;
}

/** A comment as the product's owner team sees it: the team it was about, never the person. */
export interface FeedbackComment {
  id: string;
  at: string;
  version?: string;
  team?: string;
  score: number;
  comment: string;
}

export interface ProductFeedback {
  product: string;
  weeks: SatisfactionWeek[];
  /** Newest first. */
  comments: FeedbackComment[];
  /** Pass as `cursor` for older comments. */
  nextCursor?: string;
}

export interface HelpRequestInput {
  message: string;
}

export interface HelpRequest {
  id: string;
  at: string;
  team: string;
  instance: string;
  product: string;
  /** Who asked (a member of the team). */
  actor?: string;
  message: string;
}

/** What the requester is told after asking for help. */
export interface HelpReceipt extends HelpRequest {
  /** The product's owner team, who sees the request. */
  owner: string;
  /** Where else to reach them (the product's support channel or URL), when it declares one. */
  support?: string;
}

export interface InterventionInput {
  kind: Extract<InterventionKind, 'manual-fix' | 'approval'>;
  note: string;
}

export interface RecordedIntervention {
  id: string;
  at: string;
  team: string;
  instance: string;
  product: string;
  kind: InterventionKind;
  actor?: string;
  note: string;
}
