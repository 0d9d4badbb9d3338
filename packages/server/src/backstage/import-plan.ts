import type { BackstageEntity, BackstageImportSummary, ServiceLifecycle } from '@paved/model';
import { PAVED_ANNOTATIONS, annotation, checkEntity, displayTitle, repositoryUrlOf, specOf, stringField, stringList } from './entities.js';
import { formatEntityRef, parseEntityRef, toPavedName, type EntityRef } from './refs.js';

/**
 * Backstage entities → what Paved should hold (teams, users, memberships, services), as data.
 * Pure: no store, so it is tested without one and the same plan serves dry runs. Whether a
 * referenced team or user exists in Paved already is decided later, by the apply step.
 */

export interface PlannedTeam { name: string; title: string; entity: string; parent?: string }
export interface PlannedUser { name: string; entity: string }
export interface PlannedMembership { team: string; user: string; entity: string }
export interface PlannedService {
  name: string;
  team: string;
  description: string;
  repositoryUrl?: string;
  lifecycle: ServiceLifecycle;
  system?: string;
  /** Backstage component type (service, website, library…). */
  type?: string;
  entity: string;
}
export interface PlannedSuggestion { entity: string; product: string; team: string }

export type Report = Pick<BackstageImportSummary, 'skipped' | 'renamed' | 'notes' | 'dependencies' | 'ownersMapped'>;

export interface ImportPlan extends Report {
  teams: PlannedTeam[];
  users: PlannedUser[];
  memberships: PlannedMembership[];
  services: PlannedService[];
  suggestions: PlannedSuggestion[];
  /** Paved names of the teams and users the whole import holds (context included): a dry run treats them as created. */
  importedTeams: string[];
  importedUsers: string[];
}

export interface PlanContext {
  /** Names of the products Paved offers (a Resource whose spec.type is one could be requested as it). */
  products: readonly string[];
  /**
   * Entities of the same import sent in other requests (a large catalog goes in batches). They
   * resolve names, owners, systems and memberships; only the request's own entities are planned.
   */
  context?: readonly unknown[];
}

/**
 * Backstage's conventional Resource types, and the products that provide them (Paved's own
 * export writes `database` for PostgreSQL and MySQL, `cache` for Redis, `queue` for RabbitMQ and NATS).
 */
const PRODUCTS_BY_RESOURCE_TYPE: Readonly<Record<string, readonly string[]>> = {
  database: ['postgres', 'mysql'], cache: ['redis'], queue: ['rabbitmq', 'nats'],
};

const LIFECYCLES: Readonly<Record<string, ServiceLifecycle>> = { production: 'production', experimental: 'experimental', deprecated: 'deprecated' };
const IMPORTED_KINDS = new Set(['group', 'user', 'component', 'system', 'resource']);

interface Accepted { entity: BackstageEntity; ref: EntityRef; label: string; name: string; inBatch: boolean }

/** What the planning of one entity may look up about the whole import (this request and its context). */
interface Catalog {
  groupName: GroupName;
  userName: GroupName;
  systems: Map<string, Accepted>;
  /** Every well-formed entity by ref, ambiguous ones included (a user owner is looked up here). */
  byRef: Map<string, BackstageEntity>;
  /** Users of the import by ref → the groups they belong to (their memberOf, and groups listing them as members). */
  groupsOfUser: Map<string, string[]>;
  products: readonly string[];
}

export function planBackstageImport(raw: readonly unknown[], context: PlanContext): ImportPlan {
  const plan: ImportPlan = {
    teams: [], users: [], memberships: [], services: [], suggestions: [], skipped: [], renamed: [], notes: [], dependencies: [], ownersMapped: [],
    importedTeams: [], importedUsers: [],
  };
  const { byKind, byRef } = acceptEntities(raw, context.context ?? [], plan);
  const groups = byKind.get('group') ?? [];
  const users = byKind.get('user') ?? [];
  plan.importedTeams = groups.map((g) => g.name);
  plan.importedUsers = users.map((u) => u.name);
  const groupName = nameResolver(groups);
  const userName = nameResolver(users);
  const usersInImport = new Set(users.map((u) => formatEntityRef(u.ref)));
  const usersInBatch = new Set(users.filter((u) => u.inBatch).map((u) => formatEntityRef(u.ref)));
  const memberships = new Map<string, PlannedMembership>();
  /**
   * A membership is planned once, in the request that holds its user (the CLI sends Groups
   * before Users, so the team exists by then); when the user is not in the import, in the
   * request that holds the group.
   */
  const addMembership = (group: string, member: string, declaredBy: Accepted, groupInBatch: boolean) => {
    const userRef = parseEntityRef(member, 'user');
    const plannedHere = userRef && usersInImport.has(formatEntityRef(userRef)) ? usersInBatch.has(formatEntityRef(userRef)) : groupInBatch;
    if (!plannedHere) return;
    const team = groupName(group, 'group');
    const user = userName(member);
    if (!team || !user) {
      if (declaredBy.inBatch) plan.skipped.push({ entity: declaredBy.label, reason: `membership of ${member} in ${group} names a ${team ? 'user' : 'group'} that is not a valid name` });
      return;
    }
    const key = `${team}/${user}`;
    if (!memberships.has(key)) memberships.set(key, { team, user, entity: declaredBy.label });
  };

  for (const group of groups) {
    const spec = specOf(group.entity);
    const parentRef = stringField(spec, 'parent');
    const parent = parentRef ? groupName(parentRef, 'group') : undefined;
    if (group.inBatch) plan.teams.push({ name: group.name, title: displayTitle(group.entity) ?? group.name, entity: group.label, ...(parent ? { parent } : {}) });
    for (const member of stringList(spec, 'members')) addMembership(formatEntityRef(group.ref), member, group, group.inBatch);
  }
  for (const user of users) {
    if (user.inBatch) plan.users.push({ name: user.name, entity: user.label });
    for (const group of stringList(specOf(user.entity), 'memberOf')) {
      const groupRef = parseEntityRef(group, 'group');
      const groupInBatch = groups.some((g) => g.inBatch && groupRef !== undefined && formatEntityRef(g.ref) === formatEntityRef(groupRef));
      addMembership(group, formatEntityRef(user.ref), user, groupInBatch);
    }
  }
  if (plan.users.length > 0) {
    plan.notes.push({ entity: 'user', message: 'users created by import have no API token; a platform admin issues one (paved tokens create NAME --user USER)' });
  }
  plan.memberships.push(...memberships.values());

  const catalog: Catalog = {
    groupName, userName, byRef, groupsOfUser: groupsOfUsers(byRef), products: context.products,
    systems: new Map((byKind.get('system') ?? []).map((s) => [formatEntityRef(s.ref), s])),
  };
  for (const component of byKind.get('component') ?? []) if (component.inBatch) planComponent(component, plan, catalog);
  for (const resource of byKind.get('resource') ?? []) if (resource.inBatch) planResource(resource, plan, catalog);
  return plan;
}

/**
 * Every user's groups, from all well-formed entities (a user skipped as ambiguous still tells
 * which team the components they own belong to): their memberOf first, then groups listing them.
 */
function groupsOfUsers(byRef: Map<string, BackstageEntity>): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  const add = (user: string, group: string) => {
    const userRef = parseEntityRef(user, 'user');
    const groupRef = parseEntityRef(group, 'group');
    if (!userRef || !groupRef) return;
    const key = formatEntityRef(userRef);
    const list = groups.get(key) ?? [];
    if (!list.includes(formatEntityRef(groupRef))) list.push(formatEntityRef(groupRef));
    groups.set(key, list);
  };
  const entries = [...byRef];
  for (const [ref, entity] of entries) if (ref.startsWith('user:')) for (const group of stringList(specOf(entity), 'memberOf')) add(ref, group);
  for (const [ref, entity] of entries) if (ref.startsWith('group:')) for (const member of stringList(specOf(entity), 'members')) add(member, ref);
  return groups;
}

/**
 * Checks every entity, maps its name, and drops ambiguity: two entities of one kind that map
 * to the same Paved name (e.g. `Team_A` and `team-a`, or one name in two namespaces) are both
 * skipped, since picking one would silently lose the other. An identical ref listed twice (the
 * same file given twice) counts once.
 */
function acceptEntities(raw: readonly unknown[], context: readonly unknown[], plan: ImportPlan): { byKind: Map<string, Accepted[]>; byRef: Map<string, BackstageEntity> } {
  const byKind = new Map<string, Map<string, Accepted[]>>();
  const byRef = new Map<string, BackstageEntity>();
  const accept = (item: unknown, index: number, inBatch: boolean) => {
    const checked = checkEntity(item, index);
    // Context entities are reported by the request that imports them.
    const skip = (entity: string, reason: string) => { if (inBatch) plan.skipped.push({ entity, reason }); };
    if (!checked.ok) return skip(checked.label, checked.reason);
    const { entity, ref, label } = checked;
    if (!byRef.has(label)) byRef.set(label, entity);
    if (!IMPORTED_KINDS.has(ref.kind)) {
      return skip(label, `kind ${entity.kind} has no Paved equivalent (Paved imports Group, User, Component, System and Resource)`);
    }
    const pavedOwn = ref.kind === 'component' ? annotation(entity, PAVED_ANNOTATIONS.service) : undefined;
    // A system is recorded on services by its Backstage name, so it needs no Paved name.
    const mapped = ref.kind === 'system' ? { ok: true as const, name: ref.name.toLowerCase() } : toPavedName(pavedOwn ?? ref.name);
    if (!mapped.ok) return skip(label, mapped.reason);
    const names = byKind.get(ref.kind) ?? new Map<string, Accepted[]>();
    byKind.set(ref.kind, names);
    const same = names.get(mapped.name) ?? [];
    const twin = same.find((a) => a.label === label);
    if (twin) {
      twin.inBatch ||= inBatch;
      return;
    }
    names.set(mapped.name, [...same, { entity, ref, label, name: mapped.name, inBatch }]);
  };
  raw.forEach((item, index) => accept(item, index, true));
  context.forEach((item, index) => accept(item, index, false));

  const result = new Map<string, Accepted[]>();
  for (const [kind, names] of byKind) {
    const accepted: Accepted[] = [];
    for (const [name, entries] of names) {
      if (entries.length > 1) {
        for (const e of entries.filter((x) => x.inBatch)) {
          plan.skipped.push({ entity: e.label, reason: `ambiguous: ${entries.map((x) => x.label).join(', ')} all become the Paved name "${name}"` });
        }
        continue;
      }
      const only = entries[0]!;
      if (only.inBatch && only.name !== only.ref.name && kind !== 'system') plan.renamed.push({ entity: only.label, from: only.ref.name, to: only.name });
      accepted.push(only);
    }
    result.set(kind, accepted);
  }
  return { byKind: result, byRef };
}

/** Maps a ref (with a default kind) to the Paved name of the entity it names, if it is one. */
function nameResolver(accepted: readonly Accepted[]) {
  const byRef = new Map(accepted.map((a) => [formatEntityRef(a.ref), a.name]));
  return (ref: string, defaultKind = 'user'): string | undefined => {
    const parsed = parseEntityRef(ref, defaultKind);
    if (!parsed) return undefined;
    const known = byRef.get(formatEntityRef(parsed));
    if (known) return known;
    const mapped = toPavedName(parsed.name);
    return mapped.ok ? mapped.name : undefined;
  };
}

type GroupName = (ref: string, defaultKind?: string) => string | undefined;

/**
 * The owning team of a component or resource. Paved services belong to teams: a group owner is
 * the team; a user owner (`user:guest`) maps to the team of a group the user belongs to in the
 * catalog (the first of their memberOf, else a group listing them as a member), reported in
 * `ownersMapped`.
 */
function ownerTeam(accepted: Accepted, plan: ImportPlan, catalog: Catalog): string | undefined {
  const owner = stringField(specOf(accepted.entity), 'owner');
  const parsed = parseEntityRef(owner, 'group');
  if (!owner || !parsed) {
    plan.skipped.push({ entity: accepted.label, reason: 'spec.owner is missing or not an entity ref' });
    return undefined;
  }
  if (parsed.kind === 'user') return userOwnerTeam(accepted, parsed, plan, catalog);
  if (parsed.kind !== 'group') {
    plan.skipped.push({ entity: accepted.label, reason: `owner ${owner} is a ${parsed.kind}; Paved services and instances belong to teams, so the owner must be a group or a user in one` });
    return undefined;
  }
  const team = catalog.groupName(owner, 'group');
  if (!team) plan.skipped.push({ entity: accepted.label, reason: `owner ${owner} cannot be a Paved team name` });
  return team;
}

function userOwnerTeam(accepted: Accepted, owner: EntityRef, plan: ImportPlan, catalog: Catalog): string | undefined {
  const userRef = formatEntityRef(owner);
  if (!catalog.byRef.has(userRef)) {
    plan.skipped.push({ entity: accepted.label, reason: `owner ${userRef} is a user who is not among the imported entities, so Paved cannot tell their team; import the user's Group and User files too` });
    return undefined;
  }
  const teams = (catalog.groupsOfUser.get(userRef) ?? []).map((g) => catalog.groupName(g, 'group')).filter((t): t is string => t !== undefined);
  const team = teams[0];
  if (!team) {
    plan.skipped.push({ entity: accepted.label, reason: `owner ${userRef} belongs to no group; Paved services belong to teams` });
    return undefined;
  }
  plan.ownersMapped.push({ entity: accepted.label, user: userRef, team });
  if (teams.length > 1) plan.notes.push({ entity: accepted.label, message: `owner ${userRef} is in ${teams.join(', ')}; imported into ${team}, the first` });
  return team;
}

function planComponent(component: Accepted, plan: ImportPlan, catalog: Catalog): void {
  const { entity, label } = component;
  const spec = specOf(entity);
  reportDependencies(component, plan);
  const team = ownerTeam(component, plan, catalog);
  if (!team) return;
  const declared = stringField(spec, 'lifecycle');
  let lifecycle = declared ? LIFECYCLES[declared.toLowerCase()] : undefined;
  if (!lifecycle) {
    lifecycle = 'experimental';
    plan.notes.push({ entity: label, message: `lifecycle ${declared ?? '(none)'} is not one of Paved's (experimental, production, deprecated); recorded as experimental` });
  }
  const service: PlannedService = { name: component.name, team, description: stringField(entity.metadata, 'description') ?? '', lifecycle, entity: label };
  const type = stringField(spec, 'type');
  if (type) service.type = type;
  const repositoryUrl = repositoryUrlOf(entity);
  if (repositoryUrl) service.repositoryUrl = repositoryUrl;
  const systemRef = parseEntityRef(stringField(spec, 'system'), 'system');
  if (systemRef) {
    service.system = systemRef.namespace === 'default' ? systemRef.name : `${systemRef.namespace}/${systemRef.name}`;
    const system = catalog.systems.get(formatEntityRef(systemRef));
    const systemOwner = system ? catalog.groupName(stringField(specOf(system.entity), 'owner') ?? '', 'group') : undefined;
    if (!system) {
      plan.notes.push({ entity: label, message: `system ${service.system} is not among the imported entities; recorded by name` });
    } else if (systemOwner !== team) {
      plan.notes.push({ entity: label, message: `system ${service.system} is owned by ${systemOwner ?? 'no valid group'}, the component by ${team}` });
    }
  }
  plan.services.push(service);
}

function planResource(resource: Accepted, plan: ImportPlan, catalog: Catalog): void {
  const { entity, label } = resource;
  reportDependencies(resource, plan);
  const pavedProduct = annotation(entity, PAVED_ANNOTATIONS.product);
  if (pavedProduct) {
    plan.skipped.push({ entity: label, reason: `an instance Paved exported (${pavedProduct}); Paved already manages it` });
    return;
  }
  const type = stringField(specOf(entity), 'type')?.toLowerCase();
  const product = type ? productFor(type, catalog.products) : undefined;
  const notProvisioned = 'Paved provisions resources only through its products, never from a Backstage Resource';
  if (!product) {
    plan.skipped.push({ entity: label, reason: `${notProvisioned}; no product is named ${type ?? '(no spec.type)'} or provides it` });
    return;
  }
  const team = ownerTeam(resource, plan, catalog);
  if (team) plan.suggestions.push({ entity: label, product, team });
}

/** The product a Resource type names: a product of that name, else the first offered product of a conventional type. */
function productFor(type: string, products: readonly string[]): string | undefined {
  if (products.includes(type)) return type;
  return PRODUCTS_BY_RESOURCE_TYPE[type]?.find((p) => products.includes(p));
}

/** dependsOn relations are reported (not stored): Paved records a service's needs in its workload file. */
function reportDependencies(accepted: Accepted, plan: ImportPlan): void {
  for (const target of stringList(specOf(accepted.entity), 'dependsOn')) {
    const parsed = parseEntityRef(target, 'component');
    plan.dependencies.push({ from: accepted.label, to: parsed ? formatEntityRef(parsed) : target });
  }
}
