import type { BackstageImportCounts, BackstageImportSummary, Service, Team, User } from '@paved/model';
import type { Store } from '@paved/store';
import { allServices } from './catalog.js';
import type { ImportPlan, PlannedService } from './import-plan.js';

/**
 * Carries out an import plan against the store: creates what is missing, updates services
 * whose fields differ, leaves everything else alone (so importing the same files twice changes
 * nothing the second time). There is no transaction around the whole import: each step is
 * idempotent, so an import that stops half-way is finished by running it again.
 *
 * An import never removes anything and never downgrades a membership (an owner stays owner).
 * With `dryRun` it decides exactly as it would and writes nothing.
 */
export interface ImportDeps {
  store: Store;
  actor: string;
  dryRun: boolean;
}

const emptyCounts = (): BackstageImportCounts => ({ teams: [], users: [], memberships: [], services: [] });

export async function applyImportPlan(deps: ImportDeps, plan: ImportPlan): Promise<BackstageImportSummary> {
  const summary: BackstageImportSummary = {
    dryRun: deps.dryRun, created: emptyCounts(), updated: emptyCounts(), unchanged: emptyCounts(),
    skipped: [...plan.skipped], renamed: plan.renamed, notes: [...plan.notes], suggestions: [], dependencies: plan.dependencies,
    ownersMapped: [],
  };
  const teams = await applyTeams(deps, plan, summary);
  const users = await applyUsers(deps, plan, summary);
  await applyMemberships(deps, plan, summary, teams, users);
  await applyServices(deps, plan, summary, teams);
  const imported = new Set([...summary.created.services, ...summary.updated.services, ...summary.unchanged.services]);
  const serviceOf = new Map(plan.services.map((s) => [s.entity, s.name]));
  summary.ownersMapped = plan.ownersMapped.filter((o) => imported.has(serviceOf.get(o.entity) ?? ''));
  for (const suggestion of plan.suggestions) {
    const team = await resolve(teams, suggestion.team, () => deps.store.getTeam({ name: suggestion.team }), deps.dryRun && plan.importedTeams.includes(suggestion.team));
    if (team.found) summary.suggestions.push(suggestion);
    else summary.skipped.push({ entity: suggestion.entity, reason: `owner team ${suggestion.team} does not exist in Paved and is not imported` });
  }
  return summary;
}

/** Team name → the team (undefined id while a dry run only plans to create it). */
type Known<T> = Map<string, T | undefined>;

async function applyTeams(deps: ImportDeps, plan: ImportPlan, summary: BackstageImportSummary): Promise<Known<Team>> {
  const known: Known<Team> = new Map();
  for (const planned of plan.teams) {
    const existing = await deps.store.getTeam({ name: planned.name });
    if (existing) {
      known.set(planned.name, existing);
      summary.unchanged.teams.push(planned.name);
      if (existing.title !== planned.title) {
        summary.notes.push({ entity: planned.entity, message: `team ${planned.name} exists with title "${existing.title}"; import does not change titles` });
      }
      continue;
    }
    summary.created.teams.push(planned.name);
    if (deps.dryRun) {
      known.set(planned.name, undefined);
      continue;
    }
    const team = await deps.store.createTeam({ name: planned.name, title: planned.title });
    await deps.store.appendEvent({ kind: 'team.created', teamId: team.id, actor: deps.actor, data: { team: team.name, source: 'backstage' } });
    known.set(planned.name, team);
  }
  return known;
}

async function applyUsers(deps: ImportDeps, plan: ImportPlan, summary: BackstageImportSummary): Promise<Known<User>> {
  const known: Known<User> = new Map();
  for (const planned of plan.users) {
    const existing = await deps.store.getUser({ name: planned.name });
    if (existing) {
      known.set(planned.name, existing);
      summary.unchanged.users.push(planned.name);
      continue;
    }
    summary.created.users.push(planned.name);
    if (deps.dryRun) {
      known.set(planned.name, undefined);
      continue;
    }
    // No token: an imported person signs in only after an admin issues them one.
    const user = await deps.store.createUser({ name: planned.name, admin: false });
    await deps.store.appendEvent({ kind: 'user.created', actor: deps.actor, data: { user: user.name, admin: false, source: 'backstage' } });
    known.set(planned.name, user);
  }
  return known;
}

/**
 * A team or user named by a relation: imported in this run, or already in Paved. In a dry run,
 * one that another request of the same import would create (`pending`) counts as found.
 */
async function resolve<T>(known: Known<T>, name: string, lookup: () => Promise<T | undefined>, pending: boolean): Promise<{ found: boolean; value?: T }> {
  if (known.has(name)) return { found: true, value: known.get(name) };
  const value = await lookup();
  if (value) known.set(name, value);
  return value ? { found: true, value } : { found: pending };
}

async function applyMemberships(deps: ImportDeps, plan: ImportPlan, summary: BackstageImportSummary, teams: Known<Team>, users: Known<User>): Promise<void> {
  for (const planned of plan.memberships) {
    const key = `${planned.team}/${planned.user}`;
    const team = await resolve(teams, planned.team, () => deps.store.getTeam({ name: planned.team }), deps.dryRun && plan.importedTeams.includes(planned.team));
    const user = await resolve(users, planned.user, () => deps.store.getUser({ name: planned.user }), deps.dryRun && plan.importedUsers.includes(planned.user));
    if (!team.found || !user.found) {
      const missing = !team.found ? `team ${planned.team}` : `user ${planned.user}`;
      summary.skipped.push({ entity: planned.entity, reason: `membership ${key}: ${missing} does not exist in Paved and is not imported` });
      continue;
    }
    if (team.value && user.value) {
      const current = await deps.store.listMemberships({ teamId: team.value.id, userId: user.value.id });
      if (current.some((m) => m.userId === user.value!.id)) {
        summary.unchanged.memberships.push(key);
        continue;
      }
    }
    summary.created.memberships.push(key);
    if (deps.dryRun || !team.value || !user.value) continue;
    await deps.store.setMembership({ teamId: team.value.id, userId: user.value.id, role: 'member' });
    await deps.store.appendEvent({
      kind: 'team.member-added', teamId: team.value.id, actor: deps.actor, data: { team: planned.team, user: planned.user, role: 'member', source: 'backstage' },
    });
  }
}

async function applyServices(deps: ImportDeps, plan: ImportPlan, summary: BackstageImportSummary, teams: Known<Team>): Promise<void> {
  // Service name → its teams, to refuse moving a service between teams (a map: imports hold thousands).
  const teamsOfService = new Map<string, string[]>();
  for (const s of plan.services.length > 0 ? await allServices(deps.store) : []) teamsOfService.set(s.name, [...(teamsOfService.get(s.name) ?? []), s.teamName]);
  const pendingTeams = new Set(deps.dryRun ? plan.importedTeams : []);
  for (const planned of plan.services) {
    const team = await resolve(teams, planned.team, () => deps.store.getTeam({ name: planned.team }), pendingTeams.has(planned.team));
    if (!team.found) {
      summary.skipped.push({ entity: planned.entity, reason: `owner team ${planned.team} does not exist in Paved and is not imported` });
      continue;
    }
    const elsewhere = teamsOfService.get(planned.name)?.find((t) => t !== planned.team);
    const existing = team.value ? await deps.store.getService(team.value.id, planned.name) : undefined;
    if (!existing && elsewhere) {
      summary.skipped.push({ entity: planned.entity, reason: `service ${planned.name} already belongs to team ${elsewhere}; import does not move services between teams` });
      continue;
    }
    if (existing) {
      const patch = servicePatch(existing, planned);
      if (Object.keys(patch).length === 0) {
        summary.unchanged.services.push(planned.name);
        continue;
      }
      summary.updated.services.push(planned.name);
      if (!deps.dryRun) await deps.store.updateService(existing.id, patch);
      continue;
    }
    summary.created.services.push(planned.name);
    if (deps.dryRun || !team.value) continue;
    await deps.store.createService({
      teamId: team.value.id, name: planned.name, description: planned.description, lifecycle: planned.lifecycle,
      ...(planned.repositoryUrl ? { repositoryUrl: planned.repositoryUrl } : {}),
      ...(planned.system ? { system: planned.system } : {}),
    });
  }
}

/**
 * The fields Backstage says differently. A field Backstage leaves out (no repository
 * annotation, no system) is not cleared: it may have been set in Paved on purpose.
 */
export function servicePatch(existing: Service, planned: PlannedService): { description?: string; repositoryUrl?: string; lifecycle?: Service['lifecycle']; system?: string } {
  const patch: ReturnType<typeof servicePatch> = {};
  if (planned.description !== '' && planned.description !== existing.description) patch.description = planned.description;
  if (planned.lifecycle !== existing.lifecycle) patch.lifecycle = planned.lifecycle;
  if (planned.repositoryUrl && planned.repositoryUrl !== existing.repositoryUrl) patch.repositoryUrl = planned.repositoryUrl;
  if (planned.system && planned.system !== existing.system) patch.system = planned.system;
  return patch;
}
