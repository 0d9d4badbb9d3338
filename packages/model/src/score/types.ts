/**
 * The subset of the Score workload specification (score.dev/v1b1) Paved uses. Fields Paved
 * does not act on (command, args, probes, container resources) are accepted and kept as they
 * are, so a real Score file applies unchanged. `files` and `volumes` are used by `paved run`.
 */

export const SCORE_API_VERSION = 'score.dev/v1b1';

export interface ScoreContainer {
  image: string;
  /** Environment variables; values may hold ${…} placeholders. */
  variables?: Record<string, string>;
  /** Files to mount, by target path (the array form, with `target`, is Score's deprecated one). */
  files?: Record<string, ScoreFile> | (ScoreFile & { target: string })[];
  /** Volumes to mount, by target path (the array form, with `target`, is deprecated). */
  volumes?: Record<string, ScoreVolume> | (ScoreVolume & { target: string })[];
  [field: string]: unknown;
}

/** A file of a container: exactly one of source (a path beside the Score file), content, binaryContent. */
export interface ScoreFile {
  mode?: string;
  source?: string;
  content?: string;
  /** Standard base64; never expanded. */
  binaryContent?: string;
  /** true: placeholders in the content are left as they are. */
  noExpand?: boolean;
}

/** A volume of a container: `source` names a resource, `${resources.NAME}`. */
export interface ScoreVolume {
  source: string;
  path?: string;
  readOnly?: boolean;
}

/** A port the workload publishes (service.ports.NAME): others reach it on targetPort (default: port). */
export interface ScoreServicePort {
  port: number;
  targetPort?: number;
  protocol?: 'TCP' | 'UDP';
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
  service?: { ports?: Record<string, ScoreServicePort> };
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
