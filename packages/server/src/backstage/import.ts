import { ConflictError, type BackstageImportCounts, type BackstageImportSummary, type Service, type Team, type User } from '@paved/model';
import type { NewEvent, NewService, Store } from '@paved/store';
import { allServices } from './catalog.js';
import { DEFAULT_COMPONENT_TYPE } from './entities.js';
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
  // Ids of the teams and users this request created: they have no memberships or services yet, so those are not looked up.
  const fresh = new Set<string>();
  const teams = await applyTeams(deps, plan, summary, fresh);
  const users = await applyUsers(deps, plan, summary, fresh);
  await applyMemberships(deps, plan, summary, teams, users, fresh);
  await applyServices(deps, plan, summary, teams, fresh);
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

async function applyTeams(deps: ImportDeps, plan: ImportPlan, summary: BackstageImportSummary, fresh: Set<string>): Promise<Known<Team>> {
  const known: Known<Team> = new Map();
  // One query for every team instead of one per planned team: imports hold thousands.
  const all = plan.teams.length > 0 ? new Map((await deps.store.listTeams()).map((t) => [t.name, t])) : new Map<string, Team>();
  for (const planned of plan.teams) {
    const existing = all.get(planned.name);
    if (existing) {
      known.set(planned.name, existing);
      if (existing.title !== planned.title) {
        summary.notes.push({ entity: planned.entity, message: `team ${planned.name} exists with title "${existing.title}"; import does not change titles` });
      }
      // The hierarchy is recorded where Paved has none yet; a parent set in Paved stays.
      if (planned.parent && existing.parent === undefined) {
        summary.updated.teams.push(planned.name);
        if (!deps.dryRun) known.set(planned.name, await deps.store.updateTeam(existing.id, { parent: planned.parent }) ?? existing);
      } else {
        summary.unchanged.teams.push(planned.name);
        if (planned.parent && existing.parent !== planned.parent) {
          summary.notes.push({ entity: planned.entity, message: `team ${planned.name} has parent ${existing.parent} in Paved; import does not move teams` });
        }
      }
      continue;
    }
    summary.created.teams.push(planned.name);
    known.set(planned.name, undefined);
  }
  const toCreate = plan.teams.filter((planned) => !all.has(planned.name));
  if (deps.dryRun || toCreate.length === 0) return known;
  const inputs = toCreate.map((planned) => ({ name: planned.name, title: planned.title, ...(planned.parent ? { parent: planned.parent } : {}) }));
  // All in one transaction; if one was created meanwhile, one by one so the others still land
  // (the one found is used as it is: it is not new, so its memberships are looked up).
  const created = await deps.store.createTeams(inputs).catch(async (error: unknown) => {
    if (!(error instanceof ConflictError)) throw error;
    const teams: Team[] = [];
    for (const input of inputs) {
      const team = await deps.store.createTeams([input]).then(([t]) => t, (e: unknown) => {
        if (!(e instanceof ConflictError)) throw e;
        return undefined;
      });
      if (team) teams.push(team);
      else known.set(input.name, await deps.store.getTeam({ name: input.name }));
    }
    return teams;
  });
  await deps.store.appendEvents(created.map((team) => ({ kind: 'team.created' as const, teamId: team.id, actor: deps.actor, data: { team: team.name, source: 'backstage' } })));
  for (const team of created) {
    known.set(team.name, team);
    fresh.add(team.id);
  }
  return known;
}

async function applyUsers(deps: ImportDeps, plan: ImportPlan, summary: BackstageImportSummary, fresh: Set<string>): Promise<Known<User>> {
  const known: Known<User> = new Map();
  const all = plan.users.length > 0 ? new Map((await deps.store.listUsers()).map((u) => [u.name, u])) : new Map<string, User>();
  for (const planned of plan.users) {
    const existing = all.get(planned.name);
    if (existing) {
      known.set(planned.name, existing);
      summary.unchanged.users.push(planned.name);
      continue;
    }
    summary.created.users.push(planned.name);
    known.set(planned.name, undefined);
  }
  const names = [...known].filter(([, user]) => user === undefined).map(([name]) => name);
  if (deps.dryRun || names.length === 0) return known;
  // No token: an imported person signs in only after an admin issues them one. All in one
  // transaction; if one was created meanwhile, one by one so the others still land.
  const created = await deps.store.createUsers(names.map((name) => ({ name, admin: false }))).catch(async (error: unknown) => {
    if (!(error instanceof ConflictError)) throw error;
    const users: User[] = [];
    for (const name of names) users.push(await deps.store.createUser({ name, admin: false }).catch(async () => (await deps.store.getUser({ name }))!));
    return users;
  });
  await deps.store.appendEvents(created.map((user) => ({ kind: 'user.created' as const, actor: deps.actor, data: { user: user.name, admin: false, source: 'backstage' } })));
  for (const user of created) {
    known.set(user.name, user);
    fresh.add(user.id);
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

async function applyMemberships(deps: ImportDeps, plan: ImportPlan, summary: BackstageImportSummary, teams: Known<Team>, users: Known<User>, fresh: Set<string>): Promise<void> {
  const added: { teamId: string; userId: string; role: 'member' }[] = [];
  const events: NewEvent[] = [];
  for (const planned of plan.memberships) {
    const key = `${planned.team}/${planned.user}`;
    const team = await resolve(teams, planned.team, () => deps.store.getTeam({ name: planned.team }), deps.dryRun && plan.importedTeams.includes(planned.team));
    const user = await resolve(users, planned.user, () => deps.store.getUser({ name: planned.user }), deps.dryRun && plan.importedUsers.includes(planned.user));
    if (!team.found || !user.found) {
      const missing = !team.found ? `team ${planned.team}` : `user ${planned.user}`;
      summary.skipped.push({ entity: planned.entity, reason: `membership ${key}: ${missing} does not exist in Paved and is not imported` });
      continue;
    }
    if (team.value && user.value && !fresh.has(team.value.id) && !fresh.has(user.value.id)) {
      const current = await deps.store.listMemberships({ teamId: team.value.id, userId: user.value.id });
      if (current.some((m) => m.userId === user.value!.id)) {
        summary.unchanged.memberships.push(key);
        continue;
      }
    }
    summary.created.memberships.push(key);
    if (deps.dryRun || !team.value || !user.value) continue;
    added.push({ teamId: team.value.id, userId: user.value.id, role: 'member' });
    events.push({ kind: 'team.member-added', teamId: team.value.id, actor: deps.actor, data: { team: planned.team, user: planned.user, role: 'member', source: 'backstage' } });
  }
  // One transaction each; a membership added meanwhile is left as it is (never lowered).
  await deps.store.addMemberships(added);
  await deps.store.appendEvents(events);
}

async function applyServices(deps: ImportDeps, plan: ImportPlan, summary: BackstageImportSummary, teams: Known<Team>, fresh: Set<string>): Promise<void> {
  // Every service once (not one query per planned service: imports hold thousands), by name
  // (to refuse moving a service between teams) and by team and name.
  const teamsOfService = new Map<string, string[]>();
  const byTeamAndName = new Map<string, Service>();
  for (const s of plan.services.length > 0 ? await allServices(deps.store) : []) {
    teamsOfService.set(s.name, [...(teamsOfService.get(s.name) ?? []), s.teamName]);
    byTeamAndName.set(`${s.teamId}/${s.name}`, s);
  }
  const pendingTeams = new Set(deps.dryRun ? plan.importedTeams : []);
  const toCreate: { planned: PlannedService; input: NewService }[] = [];
  for (const planned of plan.services) {
    const team = await resolve(teams, planned.team, () => deps.store.getTeam({ name: planned.team }), pendingTeams.has(planned.team));
    if (!team.found) {
      summary.skipped.push({ entity: planned.entity, reason: `owner team ${planned.team} does not exist in Paved and is not imported` });
      continue;
    }
    const elsewhere = teamsOfService.get(planned.name)?.find((t) => t !== planned.team);
    const existing = team.value && !fresh.has(team.value.id) ? byTeamAndName.get(`${team.value.id}/${planned.name}`) : undefined;
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
    toCreate.push({
      planned,
      input: {
        teamId: team.value.id, name: planned.name, description: planned.description, lifecycle: planned.lifecycle,
        ...(planned.repositoryUrl ? { repositoryUrl: planned.repositoryUrl } : {}),
        ...(planned.system ? { system: planned.system } : {}),
        ...(planned.type ? { type: planned.type } : {}),
      },
    });
  }
  await createServices(deps, summary, toCreate);
}

/**
 * New services in one transaction (thousands in an import). When one was created meanwhile by
 * someone else, the slower way: one by one, skipping those that exist, so the rest still lands.
 */
async function createServices(deps: ImportDeps, summary: BackstageImportSummary, toCreate: { planned: PlannedService; input: NewService }[]): Promise<void> {
  try {
    await deps.store.createServices(toCreate.map((c) => c.input));
    return;
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
  }
  for (const { planned, input } of toCreate) {
    try {
      await deps.store.createService(input);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      summary.created.services.splice(summary.created.services.indexOf(planned.name), 1);
      summary.skipped.push({ entity: planned.entity, reason: `service ${planned.name} was created in Paved while importing; import again to compare it` });
    }
  }
}

/**
 * The fields Backstage says differently. A field Backstage leaves out (no repository
 * annotation, no system) is not cleared: it may have been set in Paved on purpose.
 */
export function servicePatch(existing: Service, planned: PlannedService): { description?: string; repositoryUrl?: string; lifecycle?: Service['lifecycle']; system?: string; type?: string } {
  const patch: ReturnType<typeof servicePatch> = {};
  if (planned.description !== '' && planned.description !== existing.description) patch.description = planned.description;
  if (planned.lifecycle !== existing.lifecycle) patch.lifecycle = planned.lifecycle;
  if (planned.repositoryUrl && planned.repositoryUrl !== existing.repositoryUrl) patch.repositoryUrl = planned.repositoryUrl;
  if (planned.system && planned.system !== existing.system) patch.system = planned.system;
  // A service without a type is exported as the default one: reading that back changes nothing.
  if (planned.type && planned.type !== (existing.type ?? DEFAULT_COMPONENT_TYPE)) patch.type = planned.type;
  return patch;
}
