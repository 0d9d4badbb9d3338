/**
 * The subset of the Score workload specification (score.dev/v1b1) Paved uses. Fields Paved
 * does not act on (command, args, files, volumes, probes, container resources) are accepted
 * and kept as they are, so a real Score file applies unchanged.
 */

export const SCORE_API_VERSION = 'score.dev/v1b1';

export interface ScoreContainer {
  image: string;
  /** Environment variables; values may hold ${…} placeholders. */
  variables?: Record<string, string>;
  [field: string]: unknown;
}

export interface ScoreResource {
  /** Maps to the product of the same name. */
  type: string;
  /** Maps to a plan of the product ('default' or absent: the product's default plan). */
  class?: string;
  /** Shared resource: every workload naming this id gets the same instance. */
  id?: string;
  metadata?: Record<string, unknown>;
  /** Passed to the product as inputs. */
  params?: Record<string, unknown>;
}

export interface ScoreWorkload {
  apiVersion: typeof SCORE_API_VERSION;
  metadata: { name: string; annotations?: Record<string, string>; [field: string]: unknown };
  containers: Record<string, ScoreContainer>;
  service?: { ports?: Record<string, unknown> };
  resources?: Record<string, ScoreResource>;
}

/** Where a path of the document sits in its file; absent when the document did not come from a file. */
export interface ScoreLocation {
  file: string;
  line: number;
  column: number;
}

/** Finds the location of a dotted path (['containers', 'web', 'variables', 'X']) in the source. */
export type ScoreLocator = (path: readonly string[]) => ScoreLocation | undefined;
