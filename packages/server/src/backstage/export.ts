import { createHash } from 'node:crypto';
import type { BackstageEntity, Instance, Service, Team } from '@paved/model';
import { DEFAULT_COMPONENT_TYPE, PAVED_ANNOTATIONS, SOURCE_LOCATION } from './entities.js';
import { BACKSTAGE_NAME_MAX_LENGTH } from './refs.js';

/**
 * Paved's catalog → Backstage entities, as data (pure; tested without a store). One Group per
 * team (so owner refs resolve), one Component per service, one Resource per instance; the
 * Component dependsOn the Resources of the instances its workload asked for.
 *
 * Names must be unique per kind in Backstage's default namespace, while Paved's service and
 * instance names are unique per team only: a name used by two teams is prefixed with the team
 * (`<team>-<name>`), and the real names travel in `paved.dev/*` annotations so that importing
 * the export maps back to the same services.
 */

/** An instance as the export needs it (`workload` is set when a Score workload asked for it). */
export type ExportedInstance = Instance;

export interface ExportInput {
  teams: readonly Team[];
  services: readonly Service[];
  instances: readonly ExportedInstance[];
  /** Product title and driver by product name (the instance's version's manifest). */
  products: ReadonlyMap<string, { title: string; driver: string }>;
  /** Memberships of the exported teams (team name, user name): one User entity per person, memberOf their teams. */
  members?: readonly { team: string; user: string }[];
  /** Shared instances a service's workload uses (Score `id:`): the instance belongs to one workload, every user depends on it. */
  sharedUses?: readonly { serviceId: string; instanceId: string }[];
}

const API_VERSION = 'backstage.io/v1alpha1';

/** Backstage's conventional Resource types for the drivers it has words for. */
const RESOURCE_TYPE_BY_DRIVER: Readonly<Record<string, string>> = {
  postgres: 'database', mysql: 'database', redis: 'cache', rabbitmq: 'queue', nats: 'queue',
};

export function resourceTypeFor(product: string, driver: string | undefined): string {
  return (driver && RESOURCE_TYPE_BY_DRIVER[driver]) ?? RESOURCE_TYPE_BY_DRIVER[product] ?? product;
}

export function exportBackstageEntities(input: ExportInput): BackstageEntity[] {
  const live = input.instances.filter((i) => !i.deletionRequested);
  const serviceName = uniqueNames(input.services.map((s) => ({ team: s.teamName, name: s.name })));
  const resourceName = uniqueNames(live.map((i) => ({ team: i.teamName, name: i.name })));
  const exported = new Set(input.teams.map((t) => t.name));
  const groups = [...input.teams].sort(byName).map((team) => groupEntity(team, input.teams.filter((t) => t.parent === team.name).map((t) => t.name).sort(), exported));
  const shared = new Map<string, Set<string>>();
  for (const use of input.sharedUses ?? []) shared.set(use.serviceId, (shared.get(use.serviceId) ?? new Set()).add(use.instanceId));
  const components = [...input.services].sort(byTeamThenName).map((service) => {
    const parts = live.filter((i) => (i.teamName === service.teamName && i.workload?.service === service.name) || shared.get(service.id)?.has(i.id));
    return componentEntity(service, serviceName(service.teamName, service.name), [...new Set(parts.map((i) => `resource:default/${resourceName(i.teamName, i.name)}`))].sort());
  });
  const resources = [...live].sort(byTeamThenName).map((instance) => {
    const service = input.services.find((s) => s.teamName === instance.teamName && s.name === instance.workload?.service);
    return resourceEntity(instance, resourceName(instance.teamName, instance.name), input.products.get(instance.product), service);
  });
  return [...groups, ...userEntities(input.members ?? []), ...systemEntities(input.services), ...components, ...resources];
}

/** One User per member of an exported team, memberOf those teams, so the groups' people resolve in Backstage. */
function userEntities(members: readonly { team: string; user: string }[]): BackstageEntity[] {
  const teamsOf = new Map<string, Set<string>>();
  for (const m of members) teamsOf.set(m.user, (teamsOf.get(m.user) ?? new Set()).add(m.team));
  return [...teamsOf.keys()].sort().map((user) => ({
    apiVersion: API_VERSION,
    kind: 'User',
    metadata: { name: user },
    spec: { memberOf: [...teamsOf.get(user)!].sort().map(owner) },
  }));
}

/**
 * One System per system the services name, so `spec.system` resolves. Paved records a system
 * by name on its services only: its owner is the team with most of its services (ties: the
 * first by name).
 */
function systemEntities(services: readonly Service[]): BackstageEntity[] {
  const counts = new Map<string, Map<string, number>>();
  for (const s of services) {
    if (!s.system || s.system.includes('/')) continue; // a system of another namespace is not Paved's to declare
    const teams = counts.get(s.system) ?? new Map<string, number>();
    teams.set(s.teamName, (teams.get(s.teamName) ?? 0) + 1);
    counts.set(s.system, teams);
  }
  return [...counts.keys()].sort().map((system) => {
    const [team] = [...counts.get(system)!].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]!;
    return { apiVersion: API_VERSION, kind: 'System', metadata: { name: system }, spec: { owner: owner(team) } };
  });
}

const owner = (team: string) => `group:default/${team}`;
const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
const byTeamThenName = (a: { teamName: string; name: string }, b: { teamName: string; name: string }) =>
  a.teamName.localeCompare(b.teamName) || a.name.localeCompare(b.name);

/** A team as a Group; its parent is written only when exported too, so every reference resolves. */
function groupEntity(team: Team, children: string[], exported: ReadonlySet<string>): BackstageEntity {
  return {
    apiVersion: API_VERSION,
    kind: 'Group',
    metadata: { name: team.name, title: team.title, annotations: { [PAVED_ANNOTATIONS.team]: team.name } },
    spec: {
      type: 'team', profile: { displayName: team.title },
      ...(team.parent && exported.has(team.parent) ? { parent: owner(team.parent) } : {}),
      children: children.map(owner),
    },
  };
}

function componentEntity(service: Service, name: string, dependsOn: string[]): BackstageEntity {
  const annotations: Record<string, string> = { [PAVED_ANNOTATIONS.team]: service.teamName, [PAVED_ANNOTATIONS.service]: service.name };
  if (service.repositoryUrl) annotations[SOURCE_LOCATION] = `url:${service.repositoryUrl}`;
  const spec: Record<string, unknown> = { type: service.type ?? DEFAULT_COMPONENT_TYPE, lifecycle: service.lifecycle, owner: owner(service.teamName) };
  if (service.system) spec.system = service.system;
  if (dependsOn.length > 0) spec.dependsOn = dependsOn;
  return {
    apiVersion: API_VERSION,
    kind: 'Component',
    metadata: { name, ...(service.description ? { description: service.description } : {}), annotations },
    spec,
  };
}

function resourceEntity(instance: ExportedInstance, name: string, product: { title: string; driver: string } | undefined, service: Service | undefined): BackstageEntity {
  const annotations: Record<string, string> = {
    [PAVED_ANNOTATIONS.team]: instance.teamName,
    [PAVED_ANNOTATIONS.instance]: instance.name,
    [PAVED_ANNOTATIONS.product]: `${instance.product}@${instance.productVersion}`,
    [PAVED_ANNOTATIONS.phase]: instance.status.phase,
  };
  if (instance.workload) annotations[PAVED_ANNOTATIONS.environment] = instance.workload.environment;
  const spec: Record<string, unknown> = { type: resourceTypeFor(instance.product, product?.driver), owner: owner(instance.teamName) };
  if (service?.system) spec.system = service.system;
  return {
    apiVersion: API_VERSION,
    kind: 'Resource',
    metadata: { name, description: product?.title ?? instance.product, annotations },
    spec,
  };
}

/**
 * Backstage names for (team, name) pairs: the name itself when only one team uses it, else
 * `<team>-<name>`; past Backstage's 63 characters, cut and suffixed with a short hash so two
 * long names stay distinct.
 */
export function uniqueNames(items: readonly { team: string; name: string }[]): (team: string, name: string) => string {
  const teamsByName = new Map<string, Set<string>>();
  for (const { team, name } of items) teamsByName.set(name, (teamsByName.get(name) ?? new Set()).add(team));
  return (team, name) => {
    const full = (teamsByName.get(name)?.size ?? 0) > 1 ? `${team}-${name}` : name;
    if (full.length <= BACKSTAGE_NAME_MAX_LENGTH) return full;
    const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
    return `${full.slice(0, BACKSTAGE_NAME_MAX_LENGTH - 9).replace(/-+$/, '')}-${hash}`;
  };
}
