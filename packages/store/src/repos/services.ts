import { randomUUID } from 'node:crypto';
import type { Selectable, Updateable } from '#kysely';
import { ConflictError, NotFoundError, type Environment, type Instance, type Page, type Service, type ServiceLifecycle } from '@paved/model';
import type { StoreContext } from '../context.js';
import type { EnvironmentsTable, ServicesTable } from '../schema.js';
import type { NewEnvironment, NewService, ServiceChanges, Store, WorkloadRecord } from '../types.js';
import { decodeCursor, encodeCursor, pageLimit } from '../cursor.js';
import { selectInstances, toInstance } from '../rows.js';

type ServiceRow = Selectable<ServicesTable> & { team_name: string };

function toService(row: ServiceRow): Service {
  const service: Service = {
    id: row.id,
    teamId: row.team_id,
    teamName: row.team_name,
    name: row.name,
    description: row.description,
    lifecycle: row.lifecycle as ServiceLifecycle,
    ...(row.component_type ? { type: row.component_type } : {}),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
  if (row.repository_url !== null) service.repositoryUrl = row.repository_url;
  if (row.system !== null) service.system = row.system;
  return service;
}

function toEnvironment(row: Selectable<EnvironmentsTable>): Environment {
  return {
    name: row.name, description: row.description, targetSelector: JSON.parse(row.target_selector), policies: JSON.parse(row.policies),
    variables: JSON.parse(row.variables), createdAt: row.created_at,
  };
}

const serviceNotFound = (id: string) => new NotFoundError(`No service with id ${id}.`, { code: 'service_not_found', issues: [{ path: 'service', message: 'does not exist' }] });

/** The catalog's services and environments, and what each workload's last apply named. */
export function servicesRepo(ctx: StoreContext) {
  const { adapter, db } = ctx;
  const selectServices = () => db.selectFrom('services').innerJoin('teams', 'teams.id', 'services.team_id').selectAll('services').select('teams.name as team_name');
  const getById = async (id: string) => {
    const row = await selectServices().where('services.id', '=', id).executeTakeFirst();
    if (!row) throw serviceNotFound(id);
    return toService(row);
  };
  const getEnvironment = async (name: string) => {
    const row = await db.selectFrom('environments').selectAll().where('name', '=', name).executeTakeFirst();
    return row && toEnvironment(row);
  };

  const selectWorkloads = () => db.selectFrom('workloads').innerJoin('services', 'services.id', 'workloads.service_id')
    .select(['workloads.service_id', 'services.name as service', 'workloads.environment', 'workloads.shared_ids', 'workloads.ports', 'workloads.config']);
  const toWorkload = (r: { service_id: string; service: string; environment: string; shared_ids: string; ports: string | null; config: string }): WorkloadRecord => ({
    serviceId: r.service_id, service: r.service, environment: r.environment, sharedIds: JSON.parse(r.shared_ids) as string[],
    ...(r.ports === null ? {} : { ports: JSON.parse(r.ports) as NonNullable<WorkloadRecord['ports']> }),
    config: JSON.parse(r.config) as WorkloadRecord['config'],
  });

  return {
    async createServices(inputs: readonly NewService[]): Promise<void> {
      if (inputs.length === 0) return;
      const at = ctx.iso();
      const rows = inputs.map((input) => ({
        id: randomUUID(), team_id: input.teamId, name: input.name, description: input.description, repository_url: input.repositoryUrl ?? null,
        lifecycle: input.lifecycle, system: input.system ?? null, component_type: input.type ?? null, created_at: at, updated_at: at,
      }));
      try {
        await adapter.transaction(async (trx) => {
          // Multi-row inserts in slices: SQLite allows at most 32,766 bound values a statement.
          for (let i = 0; i < rows.length; i += 500) {
            const slice = rows.slice(i, i + 500);
            await trx.insertInto('services').values(slice).execute();
            await trx.insertInto('service_lifetimes').values(slice.map((r) => ({ service_id: r.id, team_id: r.team_id, created_at: Date.parse(at), deleted_at: null }))).execute();
          }
        });
      } catch (error) {
        if (adapter.isUniqueViolation(error)) {
          throw new ConflictError('One of the services already exists in its team; nothing was created.', { code: 'service_exists', issues: [{ path: 'name', message: 'is already taken' }], cause: error });
        }
        throw error;
      }
    },

    async createService(input: NewService): Promise<Service> {
      const id = randomUUID();
      const at = ctx.iso();
      try {
        await adapter.transaction(async (trx) => {
          await trx.insertInto('services').values({
            id,
            team_id: input.teamId,
            name: input.name,
            description: input.description,
            repository_url: input.repositoryUrl ?? null,
            lifecycle: input.lifecycle,
            system: input.system ?? null,
            component_type: input.type ?? null,
            created_at: at,
            updated_at: at,
          }).execute();
          // Adoption over time counts services that existed then, deleted ones included (migration 0013).
          await trx.insertInto('service_lifetimes').values({ service_id: id, team_id: input.teamId, created_at: Date.parse(at), deleted_at: null }).execute();
        });
      } catch (error) {
        if (adapter.isUniqueViolation(error)) {
          throw new ConflictError(`A service named ${input.name} already exists in this team; choose another name.`, { code: 'service_exists', issues: [{ path: 'name', message: 'is already taken' }], cause: error });
        }
        throw error;
      }
      return getById(id);
    },

    async getService(teamId: string, name: string): Promise<Service | undefined> {
      const row = await selectServices().where('services.team_id', '=', teamId).where('services.name', '=', name).executeTakeFirst();
      return row && toService(row);
    },

    async listServices(filter: { teamIds?: string[]; cursor?: string; limit?: number } = {}): Promise<Page<Service>> {
      const limit = pageLimit(filter.limit);
      if (filter.teamIds && filter.teamIds.length === 0) return { items: [] };
      let query = selectServices();
      if (filter.teamIds) query = query.where('services.team_id', 'in', filter.teamIds);
      if (filter.cursor !== undefined) {
        const [team, name] = decodeCursor(filter.cursor, ['string', 'string']) as [string, string];
        query = query.where((eb) => eb(eb.refTuple('teams.name', 'services.name'), '>', eb.tuple(team, name)));
      }
      const rows = await query.orderBy('teams.name').orderBy('services.name').limit(limit + 1).execute();
      const items = rows.slice(0, limit);
      const page: Page<Service> = { items: items.map(toService) };
      const last = items[items.length - 1];
      if (rows.length > limit && last) page.nextCursor = encodeCursor([last.team_name, last.name]);
      return page;
    },

    async updateService(id: string, changes: ServiceChanges): Promise<Service> {
      const set: Partial<ServicesTable> = {};
      if (changes.description !== undefined) set.description = changes.description;
      if (changes.repositoryUrl !== undefined) set.repository_url = changes.repositoryUrl;
      if (changes.lifecycle !== undefined) set.lifecycle = changes.lifecycle;
      if (changes.system !== undefined) set.system = changes.system;
      if (changes.type !== undefined) set.component_type = changes.type;
      const result = await db.updateTable('services').set({ ...set, updated_at: ctx.iso() }).where('id', '=', id).executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) throw serviceNotFound(id);
      return getById(id);
    },

    async deleteService(id: string): Promise<void> {
      await adapter.transaction(async (trx) => {
        const row = await adapter.forUpdate(trx.selectFrom('services').select(['id', 'name']).where('id', '=', id)).executeTakeFirst();
        if (!row) throw serviceNotFound(id);
        // Instances being deleted still count: the service goes once they are gone.
        const { count } = await trx.selectFrom('instances').select((eb) => eb.fn.countAll<number>().as('count')).where('service_id', '=', id).executeTakeFirstOrThrow();
        if (Number(count) > 0) {
          throw new ConflictError(`Service ${row.name} still has ${Number(count)} instance(s); delete them first (remove its resources and apply, or paved delete).`, {
            code: 'service_has_instances',
            issues: [{ path: 'service', message: `has ${Number(count)} instance(s)` }],
          });
        }
        await trx.deleteFrom('workloads').where('service_id', '=', id).execute();
        await trx.deleteFrom('services').where('id', '=', id).execute();
        await trx.updateTable('service_lifetimes').set({ deleted_at: ctx.now() }).where('service_id', '=', id).execute();
      });
    },

    async createEnvironment(input: NewEnvironment): Promise<Environment> {
      try {
        await db.insertInto('environments').values({
          name: input.name,
          description: input.description,
          target_selector: JSON.stringify(input.targetSelector),
          policies: JSON.stringify(input.policies),
          variables: JSON.stringify(input.variables ?? {}),
          created_at: ctx.iso(),
        }).execute();
      } catch (error) {
        if (adapter.isUniqueViolation(error)) {
          throw new ConflictError(`An environment named ${input.name} already exists.`, { code: 'environment_exists', issues: [{ path: 'name', message: 'is already taken' }], cause: error });
        }
        throw error;
      }
      return (await getEnvironment(input.name))!;
    },

    getEnvironment,

    async listEnvironments(): Promise<Environment[]> {
      // The seeded ones first, in their order (dev, staging, prod), then the others by name.
      const rows = await db.selectFrom('environments').selectAll().orderBy('created_at').orderBy('name').execute();
      const rank = (name: string) => ({ dev: 0, staging: 1, prod: 2 } as Record<string, number>)[name] ?? 3;
      return rows.map(toEnvironment).sort((a, b) => rank(a.name) - rank(b.name) || a.createdAt.localeCompare(b.createdAt) || a.name.localeCompare(b.name));
    },

    async updateEnvironment(name: string, changes: Partial<Omit<NewEnvironment, 'name'>>): Promise<Environment> {
      const set: Updateable<EnvironmentsTable> = {};
      if (changes.description !== undefined) set.description = changes.description;
      if (changes.targetSelector !== undefined) set.target_selector = JSON.stringify(changes.targetSelector);
      if (changes.policies !== undefined) set.policies = JSON.stringify(changes.policies);
      if (changes.variables !== undefined) set.variables = JSON.stringify(changes.variables);
      if (Object.keys(set).length > 0) {
        const result = await db.updateTable('environments').set(set).where('name', '=', name).executeTakeFirst();
        if (Number(result.numUpdatedRows) === 0) throw environmentNotFound(name);
      }
      const found = await getEnvironment(name);
      if (!found) throw environmentNotFound(name);
      return found;
    },

    async listWorkloadInstances(serviceId: string, environment: string): Promise<Instance[]> {
      const rows = await selectInstances(db)
        .where('instances.service_id', '=', serviceId)
        .where('instances.environment', '=', environment)
        // Parts of composites carry their parent's workload but are the parent's business (migration 0006).
        .where('instances.parent_id', 'is', null)
        .orderBy('instances.seq')
        .execute();
      return rows.map(toInstance);
    },

    async putWorkload(record: Parameters<Store['putWorkload']>[0]): Promise<void> {
      const values = {
        service_id: record.serviceId, environment: record.environment, shared_ids: JSON.stringify([...record.sharedIds].sort()),
        ports: JSON.stringify(record.ports ?? {}), updated_at: ctx.iso(),
      };
      await db.insertInto('workloads').values(values)
        .onConflict((oc) => oc.columns(['service_id', 'environment']).doUpdateSet({ shared_ids: values.shared_ids, ports: values.ports, updated_at: values.updated_at }))
        .execute();
    },

    async putWorkloadConfig(record: Parameters<Store['putWorkloadConfig']>[0]): Promise<void> {
      const values = { service_id: record.serviceId, environment: record.environment, shared_ids: '[]', config: JSON.stringify(record.config), updated_at: ctx.iso() };
      await db.insertInto('workloads').values(values)
        .onConflict((oc) => oc.columns(['service_id', 'environment']).doUpdateSet({ config: values.config, updated_at: values.updated_at }))
        .execute();
    },

    async getWorkload(serviceId: string, environment: string): Promise<WorkloadRecord | undefined> {
      const row = await selectWorkloads().where('workloads.service_id', '=', serviceId).where('workloads.environment', '=', environment).executeTakeFirst();
      return row && toWorkload(row);
    },

    async listWorkloads(filter: { teamId: string; environment: string }): Promise<WorkloadRecord[]> {
      const rows = await selectWorkloads().where('services.team_id', '=', filter.teamId).where('workloads.environment', '=', filter.environment)
        .orderBy('services.name').execute();
      return rows.map(toWorkload);
    },
  };
}

function environmentNotFound(name: string): NotFoundError {
  return new NotFoundError(`Environment "${name}" does not exist; see them with: paved environments`, { code: 'environment_not_found', issues: [{ path: 'environment', message: 'no such environment' }] });
}
