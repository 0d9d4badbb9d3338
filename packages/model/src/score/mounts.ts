import type { ScoreContainer, ScoreFile, ScoreServicePort, ScoreVolume, ScoreWorkload } from './types.js';

/** One entry of a container's `files` or `volumes`, in either of Score's two forms. */
export interface Mount<T> {
  /** The path inside the container. */
  target: string;
  /** Where the entry sits in the document, for errors: containers.C.files.<target> or …files.<index>. */
  path: string[];
  spec: T;
}

/**
 * The entries of a map-or-list field (`files`, `volumes`): Score's current form is a map of
 * target path → spec, its deprecated form a list whose items carry `target`. Real files use both.
 */
function entries<T>(containerName: string, field: 'files' | 'volumes', value: unknown): Mount<T>[] {
  const at = ['containers', containerName, field];
  if (Array.isArray(value)) {
    return value.map((item, index) => {
      const { target, ...spec } = item as T & { target: string };
      return { target, path: [...at, String(index)], spec: spec as T };
    });
  }
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value as Record<string, T>).map(([target, spec]) => ({ target, path: [...at, target], spec }));
}

export function containerFiles(containerName: string, container: ScoreContainer): Mount<ScoreFile>[] {
  return entries<ScoreFile>(containerName, 'files', container.files);
}

export function containerVolumes(containerName: string, container: ScoreContainer): Mount<ScoreVolume>[] {
  return entries<ScoreVolume>(containerName, 'volumes', container.volumes);
}

/** The workload's published ports by name. */
export function servicePorts(workload: Pick<ScoreWorkload, 'service'>): Record<string, ScoreServicePort> {
  return workload.service?.ports ?? {};
}

/**
 * The port named `wanted` (a port name, or a port number as Score's tools also accept) among
 * `ports`; without `wanted`, the only one there is. Undefined when there is no such port.
 */
export function findServicePort(ports: Readonly<Record<string, ScoreServicePort>>, wanted?: string | number): { name: string; port: ScoreServicePort } | undefined {
  const all = Object.entries(ports);
  if (wanted === undefined) return all.length === 1 ? { name: all[0]![0], port: all[0]![1] } : undefined;
  const byName = all.find(([name]) => name === String(wanted));
  const byNumber = all.find(([, port]) => String(port.port) === String(wanted));
  const found = byName ?? byNumber;
  return found && { name: found[0], port: found[1] };
}

/** Where another workload reaches the port: its targetPort, as score-compose and score-k8s have it. */
export function reachablePort(port: ScoreServicePort): number {
  return port.targetPort ?? port.port;
}
