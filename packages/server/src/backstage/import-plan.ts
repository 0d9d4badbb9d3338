import type { BackstageEntity, BackstageImportSummary, ServiceLifecycle } from '@paved/model';
import { PAVED_ANNOTATIONS, annotation, checkEntity, displayTitle, repositoryUrlOf, specOf, stringField, stringList } from './entities.js';
import { formatEntityRef, parseEntityRef, toPavedName, type EntityRef } from './refs.js';

/**
 * Backstage entities → what Paved should hold (teams, users, memberships, services), as data.
 * Pure: no store, so it is tested without one and the same plan serves dry runs. Whether a
 * referenced team or user exists in Paved already is decided later, by the apply step.
 */

export interface PlannedTeam { name: string; title: string; entity: string }
export interface PlannedUser { name: string; entity: string }
export interface PlannedMembership { team: string; user: string; entity: string }
export interface PlannedService {
  name: string;
  team: string;
  description: string;
  repositoryUrl?: string;
  lifecycle: ServiceLifecycle;
  system?: string;
  entity: string;
}
export interface PlannedSuggestion { entity: string; product: string; team: string }

export type Report = Pick<BackstageImportSummary, 'skipped' | 'renamed' | 'notes' | 'dependencies'>;

export interface ImportPlan extends Report {
  teams: PlannedTeam[];
  users: PlannedUser[];
  memberships: PlannedMembership[];
  services: PlannedService[];
  suggestions: PlannedSuggestion[];
}

export interface PlanContext {
  /** Names of the products Paved offers (a Resource whose spec.type is one could be requested as it). */
  products: readonly string[];
}

const LIFECYCLES: Readonly<Record<string, ServiceLifecycle>> = { production: 'production', experimental: 'experimental', deprecated: 'deprecated' };
const IMPORTED_KINDS = new Set(['group', 'user', 'component', 'system', 'resource']);

interface Accepted { entity: BackstageEntity; ref: EntityRef; label: string; name: string }

export function planBackstageImport(raw: readonly unknown[], context: PlanContext): ImportPlan {
  const plan: ImportPlan = { teams: [], users: [], memberships: [], services: [], suggestions: [], skipped: [], renamed: [], notes: [], dependencies: [] };
  const byKind = acceptEntities(raw, plan);
  const groupName = nameResolver(byKind.get('group') ?? []);
  const userName = nameResolver(byKind.get('user') ?? []);
  const systems = new Map((byKind.get('system') ?? []).map((s) => [formatEntityRef(s.ref), s]));
  const memberships = new Map<string, PlannedMembership>();
  const addMembership = (team: string | undefined, user: string | undefined, entity: string, via: string) => {
    if (!team || !user) {
      plan.skipped.push({ entity, reason: `membership ${via} names a ${team ? 'user' : 'group'} that is not a valid name` });
      return;
    }
    const key = `${team}/${user}`;
    if (!memberships.has(key)) memberships.set(key, { team, user, entity });
  };

  for (const group of byKind.get('group') ?? []) {
    const spec = specOf(group.entity);
    plan.teams.push({ name: group.name, title: displayTitle(group.entity) ?? group.name, entity: group.label });
    const parent = stringField(spec, 'parent');
    if (parent) plan.notes.push({ entity: group.label, message: `child of ${parent}: Paved teams are flat, so the hierarchy is not kept` });
    for (const member of stringList(spec, 'members')) addMembership(group.name, userName(member), group.label, `to ${member}`);
  }
  for (const user of byKind.get('user') ?? []) {
    plan.users.push({ name: user.name, entity: user.label });
    for (const group of stringList(specOf(user.entity), 'memberOf')) addMembership(groupName(group, 'group'), user.name, user.label, `in ${group}`);
  }
  if (plan.users.length > 0) {
    plan.notes.push({ entity: 'user', message: 'users created by import have no API token; a platform admin issues one (POST /api/v1/users/USER/tokens)' });
  }
  plan.memberships.push(...memberships.values());

  for (const component of byKind.get('component') ?? []) planComponent(component, plan, groupName, systems);
  for (const resource of byKind.get('resource') ?? []) planResource(resource, plan, groupName, context);
  return plan;
}

/**
 * Checks every entity, maps its name, and drops ambiguity: two entities of one kind that map
 * to the same Paved name (e.g. `Team_A` and `team-a`, or one name in two namespaces) are both
 * skipped, since picking one would silently lose the other. An identical ref listed twice (the
 * same file given twice) counts once.
 */
function acceptEntities(raw: readonly unknown[], plan: ImportPlan): Map<string, Accepted[]> {
  const byKind = new Map<string, Map<string, Accepted[]>>();
  raw.forEach((item, index) => {
    const checked = checkEntity(item, index);
    if (!checked.ok) return plan.skipped.push({ entity: checked.label, reason: checked.reason });
    const { entity, ref, label } = checked;
    if (!IMPORTED_KINDS.has(ref.kind)) {
      return plan.skipped.push({ entity: label, reason: `kind ${entity.kind} has no Paved equivalent (Paved imports Group, User, Component, System and Resource)` });
    }
    const pavedOwn = ref.kind === 'component' ? annotation(entity, PAVED_ANNOTATIONS.service) : undefined;
    // A system is recorded on services by its Backstage name, so it needs no Paved name.
    const mapped = ref.kind === 'system' ? { ok: true as const, name: ref.name.toLowerCase() } : toPavedName(pavedOwn ?? ref.name);
    if (!mapped.ok) return plan.skipped.push({ entity: label, reason: mapped.reason });
    const names = byKind.get(ref.kind) ?? new Map<string, Accepted[]>();
    byKind.set(ref.kind, names);
    const same = names.get(mapped.name) ?? [];
    if (same.some((a) => a.label === label)) return;
    names.set(mapped.name, [...same, { entity, ref, label, name: mapped.name }]);
  });

  const result = new Map<string, Accepted[]>();
  for (const [kind, names] of byKind) {
    const accepted: Accepted[] = [];
    for (const [name, entries] of names) {
      if (entries.length > 1) {
        for (const e of entries) {
          plan.skipped.push({ entity: e.label, reason: `ambiguous: ${entries.map((x) => x.label).join(', ')} all become the Paved name "${name}"` });
        }
        continue;
      }
      const only = entries[0]!;
      if (only.name !== only.ref.name && kind !== 'system') plan.renamed.push({ entity: only.label, from: only.ref.name, to: only.name });
      accepted.push(only);
    }
    result.set(kind, accepted);
  }
  return result;
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

/** The owning team of a component or resource: its owner must be a group (Paved services belong to teams). */
function ownerTeam(accepted: Accepted, plan: ImportPlan, groupName: GroupName): string | undefined {
  const owner = stringField(specOf(accepted.entity), 'owner');
  const parsed = parseEntityRef(owner, 'group');
  if (!owner || !parsed) {
    plan.skipped.push({ entity: accepted.label, reason: 'spec.owner is missing or not an entity ref' });
    return undefined;
  }
  if (parsed.kind !== 'group') {
    plan.skipped.push({ entity: accepted.label, reason: `owner ${owner} is a ${parsed.kind}; Paved services and instances belong to teams, so the owner must be a group` });
    return undefined;
  }
  const team = groupName(owner, 'group');
  if (!team) plan.skipped.push({ entity: accepted.label, reason: `owner ${owner} cannot be a Paved team name` });
  return team;
}

function planComponent(component: Accepted, plan: ImportPlan, groupName: GroupName, systems: Map<string, Accepted>): void {
  const { entity, label } = component;
  const spec = specOf(entity);
  reportDependencies(component, plan);
  const team = ownerTeam(component, plan, groupName);
  if (!team) return;
  const declared = stringField(spec, 'lifecycle');
  let lifecycle = declared ? LIFECYCLES[declared.toLowerCase()] : undefined;
  if (!lifecycle) {
    lifecycle = 'experimental';
    plan.notes.push({ entity: label, message: `lifecycle ${declared ?? '(none)'} is not one of Paved's (experimental, production, deprecated); recorded as experimental` });
  }
  const service: PlannedService = { name: component.name, team, description: stringField(entity.metadata, 'description') ?? '', lifecycle, entity: label };
  const repositoryUrl = repositoryUrlOf(entity);
  if (repositoryUrl) service.repositoryUrl = repositoryUrl;
  const systemRef = parseEntityRef(stringField(spec, 'system'), 'system');
  if (systemRef) {
    service.system = systemRef.namespace === 'default' ? systemRef.name : `${systemRef.namespace}/${systemRef.name}`;
    const system = systems.get(formatEntityRef(systemRef));
    const systemOwner = system ? groupName(stringField(specOf(system.entity), 'owner') ?? '', 'group') : undefined;
    if (!system) {
      plan.notes.push({ entity: label, message: `system ${service.system} is not among the imported entities; recorded by name` });
    } else if (systemOwner !== team) {
      plan.notes.push({ entity: label, message: `system ${service.system} is owned by ${systemOwner ?? 'no valid group'}, the component by ${team}` });
    }
  }
  plan.services.push(service);
}

function planResource(resource: Accepted, plan: ImportPlan, groupName: GroupName, context: PlanContext): void {
  const { entity, label } = resource;
  reportDependencies(resource, plan);
  const pavedProduct = annotation(entity, PAVED_ANNOTATIONS.product);
  if (pavedProduct) {
    plan.skipped.push({ entity: label, reason: `an instance Paved exported (${pavedProduct}); Paved already manages it` });
    return;
  }
  const type = stringField(specOf(entity), 'type');
  const product = type && context.products.includes(type.toLowerCase()) ? type.toLowerCase() : undefined;
  const notProvisioned = 'Paved provisions resources only through its products, never from a Backstage Resource';
  if (!product) {
    plan.skipped.push({ entity: label, reason: `${notProvisioned}; no product is named ${type ?? '(no spec.type)'}` });
    return;
  }
  const team = ownerTeam(resource, plan, groupName);
  if (team) plan.suggestions.push({ entity: label, product, team });
}

/** dependsOn relations are reported (not stored): Paved records a service's needs in its workload file. */
function reportDependencies(accepted: Accepted, plan: ImportPlan): void {
  for (const target of stringList(specOf(accepted.entity), 'dependsOn')) {
    const parsed = parseEntityRef(target, 'component');
    plan.dependencies.push({ from: accepted.label, to: parsed ? formatEntityRef(parsed) : target });
  }
}
