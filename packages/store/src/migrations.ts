import { Migrator, sql, type Kysely, type Migration } from '#kysely';
import { AUDIT_GENESIS_HASH, DEFAULT_ENVIRONMENTS, compareSemver, repositoryKeyOfUrl } from '@paved/model';
import type { DialectAdapter } from './dialect/adapter.js';
import { backfillMeasures } from './measures-backfill.js';

/**
 * One list of migrations for both dialects. Column types are the ones SQLite and PostgreSQL
 * agree on (text, integer, bigint); the few DDL differences (auto-increment) come from the
 * adapter. Never edit a published migration: add the next one.
 */
function migrations(adapter: DialectAdapter): Record<string, Migration> {
  return {
    '0001_initial': {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('users')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull().unique())
          .addColumn('admin', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('tokens')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('hash', 'text', (c) => c.notNull().unique())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('teams')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull().unique())
          .addColumn('title', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('memberships')
          .addColumn('team_id', 'text', (c) => c.notNull().references('teams.id').onDelete('cascade'))
          .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
          .addColumn('role', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('memberships_pk', ['team_id', 'user_id'])
          .execute();
        await db.schema.createIndex('memberships_user').on('memberships').column('user_id').execute();
        await db.schema
          .createTable('product_versions')
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('version', 'text', (c) => c.notNull())
          .addColumn('manifest', 'text', (c) => c.notNull())
          .addColumn('digest', 'text', (c) => c.notNull())
          .addColumn('published_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('product_versions_pk', ['name', 'version'])
          .execute();
        await db.schema
          .createTable('instances')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('team_id', 'text', (c) => c.notNull().references('teams.id'))
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('product', 'text', (c) => c.notNull())
          .addColumn('product_version', 'text', (c) => c.notNull())
          .addColumn('plan', 'text', (c) => c.notNull())
          .addColumn('inputs', 'text', (c) => c.notNull())
          .addColumn('external_name', 'text', (c) => c.notNull())
          .addColumn('target', 'text', (c) => c.notNull())
          .addColumn('generation', 'integer', (c) => c.notNull())
          .addColumn('observed_generation', 'integer', (c) => c.notNull())
          .addColumn('deletion_requested', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('outputs', 'text', (c) => c.notNull())
          .addColumn('status_hash', 'text', (c) => c.notNull())
          .addColumn('created_by', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addColumn('pending_action', 'text')
          .addColumn('deletion_step', 'text')
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('due_at', 'bigint', (c) => c.notNull())
          .addColumn('lease_owner', 'text')
          .addColumn('lease_token', 'text')
          .addColumn('lease_expires_at', 'bigint')
          .addUniqueConstraint('instances_team_name', ['team_id', 'name'])
          .execute();
        await db.schema.createIndex('instances_due').on('instances').column('due_at').execute();
        await db.schema.createIndex('instances_quota').on('instances').columns(['team_id', 'product', 'plan']).execute();
        await db.schema.createIndex('instances_listing').on('instances').columns(['created_at', 'id']).execute();
        await db.schema
          .createTable('secrets')
          .addColumn('owner_id', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('envelope', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('secrets_pk', ['owner_id', 'name'])
          .execute();
        // Events outlive what they describe (an instance's history stays after it is forgotten): no foreign keys.
        await adapter
          .addSerialPrimaryKey(db.schema.createTable('events'), 'seq')
          .addColumn('id', 'text', (c) => c.notNull().unique())
          .addColumn('at', 'text', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('team_id', 'text')
          .addColumn('instance_id', 'text')
          .addColumn('actor', 'text')
          .addColumn('data', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('events_team').on('events').columns(['team_id', 'seq']).execute();
        await db.schema.createIndex('events_instance').on('events').columns(['instance_id', 'seq']).execute();
      },
    },
    // The generation a worker saw when it claimed the instance: a request that arrives during
    // the pass (generation moves past it) must not wait for the pass's "next check" due time.
    '0002_claimed_generation': {
      async up(db: Kysely<any>) {
        await db.schema.alterTable('instances').addColumn('claimed_generation', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      },
    },
    // Credential rotation (`paved rotate`): the current credential number, the one asked for,
    // and the previous one waiting for its revocation at revoke_at (epoch ms). The claimed copy
    // of desired_rotation plays the part claimed_generation plays for spec changes: a rotation
    // asked for during a pass keeps the instance due now.
    '0003_credential_rotation': {
      async up(db: Kysely<any>) {
        // One column per statement: SQLite's ALTER TABLE adds one column at a time.
        await db.schema.alterTable('instances').addColumn('rotation', 'integer', (c) => c.notNull().defaultTo(0)).execute();
        await db.schema.alterTable('instances').addColumn('desired_rotation', 'integer', (c) => c.notNull().defaultTo(0)).execute();
        await db.schema.alterTable('instances').addColumn('claimed_desired_rotation', 'integer', (c) => c.notNull().defaultTo(0)).execute();
        await db.schema.alterTable('instances').addColumn('revoke_rotation', 'integer').execute();
        await db.schema.alterTable('instances').addColumn('revoke_at', 'bigint').execute();
      },
    },
    // Services and environments (the catalog) and the workload an instance belongs to (Score
    // files). The environments every platform starts with are seeded here, once.
    '0004_services_environments': {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('services')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('team_id', 'text', (c) => c.notNull().references('teams.id'))
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('description', 'text', (c) => c.notNull())
          .addColumn('repository_url', 'text')
          .addColumn('lifecycle', 'text', (c) => c.notNull())
          .addColumn('system', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addUniqueConstraint('services_team_name', ['team_id', 'name'])
          .execute();
        await db.schema
          .createTable('environments')
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('description', 'text', (c) => c.notNull())
          .addColumn('target_selector', 'text', (c) => c.notNull())
          .addColumn('policies', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
        // What each service's last apply asked for per environment: which shared ids it names.
        await db.schema
          .createTable('workloads')
          .addColumn('service_id', 'text', (c) => c.notNull().references('services.id').onDelete('cascade'))
          .addColumn('environment', 'text', (c) => c.notNull())
          .addColumn('shared_ids', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('workloads_pk', ['service_id', 'environment'])
          .execute();
        const at = new Date().toISOString();
        await db
          .insertInto('environments')
          .values(DEFAULT_ENVIRONMENTS.map((e) => ({ name: e.name, description: e.description, target_selector: '{}', policies: '{}', created_at: at })))
          .execute();
        await db.schema.alterTable('instances').addColumn('service_id', 'text').execute();
        await db.schema.alterTable('instances').addColumn('environment', 'text').execute();
        await db.schema.alterTable('instances').addColumn('resource', 'text').execute();
        await db.schema.alterTable('instances').addColumn('shared', 'integer', (c) => c.notNull().defaultTo(0)).execute();
        await db.schema.createIndex('instances_workload').on('instances').columns(['service_id', 'environment']).execute();
      },
    },
    // Log streams (baked-in logging): one row per line, per (team, service, environment). No
    // foreign keys: lines are pruned by age, not by what they describe, like events.
    '0005_logs': {
      async up(db: Kysely<any>) {
        await adapter
          .addSerialPrimaryKey(db.schema.createTable('log_lines'), 'seq')
          .addColumn('team_id', 'text', (c) => c.notNull())
          .addColumn('service', 'text', (c) => c.notNull())
          .addColumn('environment', 'text', (c) => c.notNull())
          .addColumn('at', 'text', (c) => c.notNull())
          .addColumn('stream', 'text', (c) => c.notNull())
          .addColumn('line', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('log_lines_stream').on('log_lines').columns(['team_id', 'service', 'environment', 'seq']).execute();
        // Retention deletes by age: one range of this index per stream.
        await db.schema.createIndex('log_lines_stream_at').on('log_lines').columns(['team_id', 'service', 'environment', 'at']).execute();
      },
    },
    // Composition: a part of a composite instance points at its parent and names its include.
    // No foreign key: the engine forgets parts before their parent, and a dangling parent_id
    // (a parent forgotten by hand) must not block forgetting the part.
    '0006_composition': {
      async up(db: Kysely<any>) {
        await db.schema.alterTable('instances').addColumn('parent_id', 'text').execute();
        await db.schema.alterTable('instances').addColumn('part', 'text').execute();
        await db.schema.createIndex('instances_parent').on('instances').column('parent_id').execute();
      },
    },
    // Insertion order of instances: the order of every instance listing (and its cursor).
    // created_at alone ties within a millisecond and comes from each process's own clock; the
    // ids are random. Existing rows keep the order they were listed in until now.
    '0007_instance_seq': {
      async up(db: Kysely<any>) {
        await adapter.addInsertionOrder(db, 'instances', 'seq', 'created_at, id');
      },
    },
    // Trust: platform teams, disabled users, token expiry and scopes, and who owns each product
    // (a row of its own, so that a new version can be compared with it and ownership moves only
    // by an admin). Existing owners of published products were publishing already: they become
    // platform teams, and each product is owned by the owner named in its latest version.
    '0008_access': {
      async up(db: Kysely<any>) {
        await db.schema.alterTable('teams').addColumn('platform', 'integer', (c) => c.notNull().defaultTo(0)).execute();
        await db.schema.alterTable('users').addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0)).execute();
        await db.schema.alterTable('tokens').addColumn('expires_at', 'text').execute();
        await db.schema.alterTable('tokens').addColumn('read_only', 'integer', (c) => c.notNull().defaultTo(0)).execute();
        await db.schema.alterTable('tokens').addColumn('team_id', 'text', (c) => c.references('teams.id').onDelete('cascade')).execute();
        await db.schema.createIndex('tokens_user').on('tokens').column('user_id').execute();
        // The owner by team name (team names never change), so that the store can compare a
        // new version's metadata.owner with it without a team lookup.
        await db.schema
          .createTable('products')
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('owner', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
        const versions = await db.selectFrom('product_versions').select(['name', 'version', 'manifest', 'published_at']).execute();
        const latest = new Map<string, { version: string; owner: string; at: string }>();
        for (const row of versions) {
          const current = latest.get(row.name);
          if (current === undefined || compareSemver(row.version, current.version) > 0) {
            latest.set(row.name, { version: row.version, owner: JSON.parse(row.manifest).metadata.owner, at: current?.at ?? row.published_at });
          }
        }
        for (const [name, { owner, at }] of latest) {
          await db.insertInto('products').values({ name, owner, created_at: at }).execute();
          await db.updateTable('teams').set({ platform: 1 }).where('name', '=', owner).execute();
        }
      },
    },
    // The audit log (docs/audit.md): an append-only hash chain of who did what, apart from the
    // events (which drive timelines and metrics and are not evidence). `seq` is assigned under
    // the lock of the one audit_head row, so that appends form one chain on both dialects;
    // checkpoints are signed statements of the head, kept to show a truncated tail.
    '0009_audit': {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('audit_log')
          .addColumn('seq', 'bigint', (c) => c.primaryKey())
          .addColumn('at', 'text', (c) => c.notNull())
          .addColumn('stage', 'text', (c) => c.notNull())
          .addColumn('request_id', 'text')
          .addColumn('actor', 'text', (c) => c.notNull())
          .addColumn('token_id', 'text')
          .addColumn('action', 'text', (c) => c.notNull())
          .addColumn('team', 'text')
          .addColumn('target', 'text')
          .addColumn('result', 'text')
          .addColumn('status', 'integer')
          .addColumn('code', 'text')
          .addColumn('source', 'text')
          .addColumn('summary', 'text')
          .addColumn('prev_hash', 'text', (c) => c.notNull())
          .addColumn('hash', 'text', (c) => c.notNull())
          .addColumn('key_id', 'text', (c) => c.notNull())
          .addColumn('signature', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('audit_log_at').on('audit_log').column('at').execute();
        await db.schema.createIndex('audit_log_actor').on('audit_log').columns(['actor', 'seq']).execute();
        await db.schema.createIndex('audit_log_action').on('audit_log').columns(['action', 'seq']).execute();
        await db.schema.createIndex('audit_log_team').on('audit_log').columns(['team', 'seq']).execute();
        await db.schema.createIndex('audit_log_request').on('audit_log').column('request_id').execute();
        await db.schema
          .createTable('audit_head')
          .addColumn('id', 'integer', (c) => c.primaryKey())
          .addColumn('seq', 'bigint', (c) => c.notNull())
          .addColumn('hash', 'text', (c) => c.notNull())
          .execute();
        await db.insertInto('audit_head').values({ id: 1, seq: 0, hash: AUDIT_GENESIS_HASH }).execute();
        await db.schema
          .createTable('audit_checkpoints')
          .addColumn('seq', 'bigint', (c) => c.primaryKey())
          .addColumn('hash', 'text', (c) => c.notNull())
          .addColumn('at', 'text', (c) => c.notNull())
          .addColumn('key_id', 'text', (c) => c.notNull())
          .addColumn('signature', 'text', (c) => c.notNull())
          .execute();
      },
    },
    // Sign-in with an identity provider (docs/sign-in.md): which IdP subject each signed-in user
    // is, where each membership and token came from (so a sign-in replaces only what the IdP
    // gave, and prunes only its own expired sessions), and the logins under way: state, nonce
    // and PKCE verifier kept server-side until the IdP answers, keyed by a hash of the handle.
    '0010_oidc': {
      async up(db: Kysely<any>) {
        await db.schema.alterTable('memberships').addColumn('source', 'text', (c) => c.notNull().defaultTo('local')).execute();
        await db.schema.alterTable('tokens').addColumn('source', 'text', (c) => c.notNull().defaultTo('api')).execute();
        await db.schema
          .createTable('user_identities')
          .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
          .addColumn('issuer', 'text', (c) => c.notNull())
          .addColumn('subject', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addUniqueConstraint('user_identities_subject', ['issuer', 'subject'])
          .execute();
        await db.schema
          .createTable('oidc_logins')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('data', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('oidc_logins_expires').on('oidc_logins').column('expires_at').execute();
      },
    },
    // Delivery events (docs/metrics/dora.md): facts from webhooks and the generic API, kept by
    // their own identities (so a redelivery or an older event changes nothing) and by repository
    // (a service claims a repository by its URL when the metrics are computed, so events that
    // arrive before any service claims their repository count once one does). No foreign keys
    // to the catalog for the same reason.
    '0011_delivery': {
      async up(db: Kysely<any>) {
        await adapter
          .addSerialPrimaryKey(db.schema.createTable('delivery_repositories'), 'id')
          .addColumn('host', 'text', (c) => c.notNull())
          .addColumn('path', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('default_branch', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addUniqueConstraint('delivery_repositories_key', ['host', 'path'])
          .execute();
        await adapter
          .addSerialPrimaryKey(db.schema.createTable('delivery_environments'), 'id')
          .addColumn('name', 'text', (c) => c.notNull().unique())
          .addColumn('production', 'integer', (c) => c.notNull())
          .execute();
        await adapter
          .addSerialPrimaryKey(db.schema.createTable('delivery_deployments'), 'id')
          .addColumn('repo_id', 'bigint', (c) => c.notNull())
          .addColumn('source', 'text', (c) => c.notNull())
          .addColumn('external_id', 'text', (c) => c.notNull())
          .addColumn('environment_id', 'bigint', (c) => c.notNull())
          .addColumn('sha', 'text')
          .addColumn('ref', 'text')
          .addColumn('started_ms', 'bigint')
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('status_ms', 'bigint', (c) => c.notNull())
          .addColumn('status_seq', 'bigint', (c) => c.notNull())
          .addColumn('success_ms', 'bigint')
          .addColumn('result', 'text', (c) => c.notNull())
          .addColumn('finished_ms', 'bigint')
          .addColumn('shipped_ms', 'bigint')
          .addColumn('changes', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('gap_sha', 'text')
          .addUniqueConstraint('delivery_deployments_key', ['repo_id', 'source', 'external_id'])
          .execute();
        await adapter
          .addSerialPrimaryKey(db.schema.createTable('delivery_pushes'), 'id')
          .addColumn('repo_id', 'bigint', (c) => c.notNull())
          .addColumn('ref', 'text', (c) => c.notNull())
          .addColumn('before_sha', 'text', (c) => c.notNull())
          .addColumn('after_sha', 'text', (c) => c.notNull())
          .addColumn('pushed_ms', 'bigint')
          .addUniqueConstraint('delivery_pushes_key', ['repo_id', 'ref', 'before_sha', 'after_sha'])
          .execute();
        await db.schema
          .createTable('delivery_push_commits')
          .addColumn('push_id', 'bigint', (c) => c.notNull())
          .addColumn('repo_id', 'bigint', (c) => c.notNull())
          .addColumn('position', 'integer', (c) => c.notNull())
          .addColumn('sha', 'text', (c) => c.notNull())
          .addColumn('at_ms', 'bigint')
          .addColumn('is_distinct', 'integer', (c) => c.notNull())
          .addPrimaryKeyConstraint('delivery_push_commits_pk', ['push_id', 'position'])
          .execute();
        await db.schema
          .createTable('delivery_deployment_commits')
          .addColumn('deployment_id', 'bigint', (c) => c.notNull())
          .addColumn('repo_id', 'bigint', (c) => c.notNull())
          .addColumn('sha', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('delivery_deployment_commits_pk', ['deployment_id', 'sha'])
          .execute();
        await adapter
          .addSerialPrimaryKey(db.schema.createTable('delivery_changes'), 'id')
          .addColumn('repo_id', 'bigint', (c) => c.notNull())
          .addColumn('source', 'text', (c) => c.notNull())
          .addColumn('external_id', 'text', (c) => c.notNull())
          .addColumn('title', 'text')
          .addColumn('head_ref', 'text')
          .addColumn('merge_sha', 'text')
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('opened_ms', 'bigint')
          .addColumn('merged_ms', 'bigint')
          .addColumn('first_commit_ms', 'bigint')
          .addColumn('first_commit_given', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('updated_ms', 'bigint', (c) => c.notNull())
          .addColumn('deployment_id', 'bigint')
          .addColumn('deployment_ref', 'text')
          // Copied from the deployment that shipped it, with the lead time they make, by the linker:
          // the lead-time metric then reads one index range, without a join.
          .addColumn('shipped_ms', 'bigint')
          .addColumn('lead_minutes', 'bigint')
          .addUniqueConstraint('delivery_changes_key', ['repo_id', 'source', 'external_id'])
          .execute();
        await adapter
          .addSerialPrimaryKey(db.schema.createTable('delivery_issues'), 'id')
          .addColumn('repo_id', 'bigint', (c) => c.notNull())
          .addColumn('source', 'text', (c) => c.notNull())
          .addColumn('external_id', 'text', (c) => c.notNull())
          .addColumn('title', 'text')
          .addColumn('labels', 'text', (c) => c.notNull())
          .addColumn('incident', 'integer', (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('created_ms', 'bigint', (c) => c.notNull())
          .addColumn('resolved_ms', 'bigint')
          .addColumn('updated_ms', 'bigint', (c) => c.notNull())
          .addUniqueConstraint('delivery_issues_key', ['repo_id', 'source', 'external_id'])
          .execute();
        await db.schema
          .createTable('delivery_deliveries')
          .addColumn('source', 'text', (c) => c.notNull())
          .addColumn('delivery_id', 'text', (c) => c.notNull())
          .addColumn('event', 'text', (c) => c.notNull())
          .addColumn('received_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('delivery_deliveries_pk', ['source', 'delivery_id'])
          .execute();
        await db.schema
          .createTable('delivery_settings')
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('value', 'text', (c) => c.notNull())
          .execute();
      },
    },
    // The indexes the ingestion's look-ups and the DORA queries use (docs/metrics/dora.md
    // "Storage"): each metric reads one index range per repository and window, never a table scan.
    '0012_delivery_indexes': {
      async up(db: Kysely<any>) {
        // Deployment days, counts and "shipped before" look-ups: a range of shipped_ms per repository;
        // `changes` rides along so counting deployments without changes reads the index only.
        await db.schema.createIndex('delivery_deployments_shipped').on('delivery_deployments').columns(['repo_id', 'shipped_ms', 'id', 'changes']).execute();
        await db.schema.createIndex('delivery_deployments_sha').on('delivery_deployments').columns(['repo_id', 'sha']).execute();
        await db.schema.createIndex('delivery_deployments_gap').on('delivery_deployments').columns(['repo_id', 'gap_sha']).execute();
        await db.schema.createIndex('delivery_pushes_after').on('delivery_pushes').columns(['repo_id', 'after_sha']).execute();
        await db.schema.createIndex('delivery_pushes_ref').on('delivery_pushes').columns(['repo_id', 'ref']).execute();
        await db.schema.createIndex('delivery_push_commits_sha').on('delivery_push_commits').columns(['repo_id', 'sha']).execute();
        await db.schema.createIndex('delivery_deployment_commits_sha').on('delivery_deployment_commits').columns(['repo_id', 'sha']).execute();
        // Lead time: the changes shipped in a window, with their lead times, from the index alone.
        await db.schema.createIndex('delivery_changes_lead').on('delivery_changes').columns(['repo_id', 'shipped_ms', 'lead_minutes']).execute();
        await db.schema.createIndex('delivery_changes_deployment').on('delivery_changes').column('deployment_id').execute();
        await db.schema.createIndex('delivery_changes_merge').on('delivery_changes').columns(['repo_id', 'merge_sha']).execute();
        await db.schema.createIndex('delivery_changes_branch').on('delivery_changes').columns(['repo_id', 'head_ref']).execute();
        await db.schema.createIndex('delivery_changes_deployment_ref').on('delivery_changes').columns(['repo_id', 'deployment_ref']).execute();
        await db.schema.createIndex('delivery_issues_incidents').on('delivery_issues').columns(['repo_id', 'incident', 'created_ms']).execute();
      },
    },
    // The platform's own measures (docs/metrics/): a ledger of requests and their first
    // outcomes, interventions, and the lifetimes of catalogued services. Rows are written with
    // the events they summarise from now on; the history before this migration is read once
    // from the event log and the catalog.
    '0013_measures': {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('instance_requests')
          .addColumn('instance_id', 'text', (c) => c.primaryKey())
          .addColumn('team_id', 'text', (c) => c.notNull())
          .addColumn('product', 'text', (c) => c.notNull())
          .addColumn('product_version', 'text', (c) => c.notNull())
          .addColumn('service_id', 'text')
          .addColumn('parent_id', 'text')
          .addColumn('requested_at', 'bigint', (c) => c.notNull())
          .addColumn('ready_at', 'bigint')
          .addColumn('failed_at', 'bigint')
          .addColumn('delete_requested_at', 'bigint')
          .addColumn('deleted_at', 'bigint')
          .execute();
        // Covering indexes: the measures read only these columns, so with 100,000 requests they
        // scan an index instead of visiting every row (bench/measures.mjs: 2–7× faster).
        await db.schema.createIndex('instance_requests_product').on('instance_requests')
          .columns(['product', 'requested_at', 'parent_id', 'ready_at', 'failed_at', 'delete_requested_at', 'product_version']).execute();
        await db.schema.createIndex('instance_requests_team').on('instance_requests').columns(['team_id', 'requested_at']).execute();
        await db.schema.createIndex('instance_requests_ready').on('instance_requests').columns(['ready_at']).execute();
        await db.schema.createIndex('instance_requests_service').on('instance_requests').columns(['service_id', 'requested_at', 'delete_requested_at', 'parent_id']).execute();
        await adapter
          .addSerialPrimaryKey(db.schema.createTable('interventions'), 'seq')
          .addColumn('id', 'text', (c) => c.notNull().unique())
          .addColumn('at', 'bigint', (c) => c.notNull())
          .addColumn('team_id', 'text', (c) => c.notNull())
          .addColumn('product', 'text', (c) => c.notNull())
          .addColumn('instance_id', 'text', (c) => c.notNull())
          .addColumn('instance_name', 'text', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('actor', 'text')
          .addColumn('note', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('interventions_team').on('interventions').columns(['team_id', 'at']).execute();
        await db.schema.createIndex('interventions_product').on('interventions').columns(['product', 'at']).execute();
        await db.schema.createIndex('interventions_instance').on('interventions').columns(['instance_id', 'at']).execute();
        await db.schema.createIndex('interventions_at').on('interventions').column('at').execute();
        await db.schema
          .createTable('service_lifetimes')
          .addColumn('service_id', 'text', (c) => c.primaryKey())
          .addColumn('team_id', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('deleted_at', 'bigint')
          .execute();
        await db.schema.createIndex('service_lifetimes_team').on('service_lifetimes').columns(['team_id', 'created_at']).execute();
        // Version spread and live counts per product: the live instances grouped, from the index alone.
        await db.schema.createIndex('instances_live_by_product').on('instances').columns(['product', 'product_version', 'deletion_requested', 'parent_id', 'team_id']).execute();
        await backfillMeasures(db);
      },
    },
    // Feedback: a person's 1–5 score of a product and an optional comment. At most one per
    // person and instance (the CLI asks once after an instance becomes Ready or Failed).
    '0014_feedback': {
      async up(db: Kysely<any>) {
        await adapter
          .addSerialPrimaryKey(db.schema.createTable('feedback'), 'seq')
          .addColumn('id', 'text', (c) => c.notNull().unique())
          .addColumn('at', 'bigint', (c) => c.notNull())
          .addColumn('product', 'text', (c) => c.notNull())
          .addColumn('product_version', 'text')
          .addColumn('user_id', 'text', (c) => c.notNull())
          .addColumn('team_id', 'text')
          .addColumn('instance_id', 'text')
          .addColumn('score', 'integer', (c) => c.notNull())
          .addColumn('comment', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('feedback_product').on('feedback').columns(['product', 'at']).execute();
        // Null instance ids never collide (both dialects), so product-only feedback may repeat.
        await db.schema.createIndex('feedback_user_instance').unique().on('feedback').columns(['user_id', 'instance_id']).execute();
      },
    },
    // Master-key rotation: which key wraps each secret (so a rotation finds what it has left to
    // re-wrap, and a start finds keys it does not hold) and which key seals new ones.
    '0016_keys': {
      async up(db: Kysely<any>) {
        await db.schema.alterTable('secrets').addColumn('key_id', 'text').execute();
        const rows = await db.selectFrom('secrets').select(['owner_id', 'name', 'envelope']).execute();
        for (const row of rows) {
          const kid = keyIdOf(row.envelope);
          if (kid !== undefined) await db.updateTable('secrets').set({ key_id: kid }).where('owner_id', '=', row.owner_id).where('name', '=', row.name).execute();
        }
        await db.schema.createIndex('secrets_key').on('secrets').column('key_id').execute();
        await db.schema
          .createTable('keyring')
          .addColumn('id', 'integer', (c) => c.primaryKey())
          .addColumn('active_key_id', 'text', (c) => c.notNull())
          .addColumn('active_version', 'integer', (c) => c.notNull())
          .addColumn('activated_at', 'text', (c) => c.notNull())
          .execute();
      },
    },
    // Score's built-in types (docs/workloads.md#score-types-paved-serves-itself): the
    // variables an environment gives every service's `environment` resource; per workload, the
    // ports its last apply published (another workload's `service` resource reaches them) and
    // the service's own config values there.
    '0017_score': {
      async up(db: Kysely<any>) {
        await db.schema.alterTable('environments').addColumn('variables', 'text', (c) => c.notNull().defaultTo('{}')).execute();
        // NULL: the service was configured there but never applied (it publishes nothing yet).
        await db.schema.alterTable('workloads').addColumn('ports', 'text').execute();
        await db.schema.alterTable('workloads').addColumn('config', 'text', (c) => c.notNull().defaultTo('{}')).execute();
      },
    },
    // Product versions over time (docs/product-versions.md): deprecations with a date (of a
    // version, or of the whole product where `version` is ''), the owner's roadmap, and the
    // requests developers make and vote on (one vote per person and request).
    '0018_product_evolution': {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('product_deprecations')
          .addColumn('product', 'text', (c) => c.notNull())
          .addColumn('version', 'text', (c) => c.notNull())
          .addColumn('sunset', 'text', (c) => c.notNull())
          .addColumn('reason', 'text', (c) => c.notNull())
          .addColumn('deprecated_by', 'text', (c) => c.notNull())
          .addColumn('deprecated_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('product_deprecations_pk', ['product', 'version'])
          .execute();
        await adapter
          .addSerialPrimaryKey(db.schema.createTable('product_roadmap'), 'id')
          .addColumn('product', 'text', (c) => c.notNull())
          .addColumn('title', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('target_version', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('product_roadmap_product').on('product_roadmap').columns(['product', 'id']).execute();
        await adapter
          .addSerialPrimaryKey(db.schema.createTable('product_requests'), 'id')
          .addColumn('product', 'text', (c) => c.notNull())
          .addColumn('text', 'text', (c) => c.notNull())
          .addColumn('author_id', 'text', (c) => c.notNull())
          .addColumn('votes', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('product_requests_product').on('product_requests').columns(['product', 'votes']).execute();
        await db.schema
          .createTable('product_request_votes')
          .addColumn('request_id', 'bigint', (c) => c.notNull().references('product_requests.id').onDelete('cascade'))
          .addColumn('user_id', 'text', (c) => c.notNull())
          .addColumn('voted_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('product_request_votes_pk', ['request_id', 'user_id'])
          .execute();
      },
    },
    // Upgrades and fleet rollouts (docs/rollouts.md): holds that keep an instance where it is;
    // a rollout per product with its lease (the engine advances it like an instance), and the
    // instances it covers, each with the version it ran before and its wave.
    '0020_rollouts': {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('instance_holds')
          .addColumn('instance_id', 'text', (c) => c.primaryKey())
          .addColumn('reason', 'text', (c) => c.notNull())
          .addColumn('held_by', 'text', (c) => c.notNull())
          .addColumn('held_at', 'text', (c) => c.notNull())
          .execute();
        await adapter
          .addSerialPrimaryKey(db.schema.createTable('rollouts'), 'seq')
          .addColumn('id', 'text', (c) => c.notNull().unique())
          .addColumn('product', 'text', (c) => c.notNull())
          // The product while the rollout is not final, else NULL: one live rollout per product.
          .addColumn('live_product', 'text', (c) => c.unique())
          .addColumn('to_version', 'text', (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('settings', 'text', (c) => c.notNull())
          .addColumn('wave', 'integer', (c) => c.notNull())
          .addColumn('waves', 'integer', (c) => c.notNull())
          .addColumn('stage', 'text', (c) => c.notNull())
          .addColumn('soak_started_at', 'bigint')
          .addColumn('message', 'text', (c) => c.notNull())
          .addColumn('created_by', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addColumn('due_at', 'bigint')
          .addColumn('lease_owner', 'text')
          .addColumn('lease_token', 'text')
          .addColumn('lease_expires_at', 'bigint')
          .execute();
        await db.schema.createIndex('rollouts_product').on('rollouts').columns(['product', 'seq']).execute();
        await db.schema.createIndex('rollouts_due').on('rollouts').column('due_at').execute();
        await db.schema
          .createTable('rollout_targets')
          .addColumn('rollout_id', 'text', (c) => c.notNull())
          .addColumn('position', 'integer', (c) => c.notNull())
          .addColumn('instance_id', 'text', (c) => c.notNull())
          .addColumn('team_name', 'text', (c) => c.notNull())
          .addColumn('instance_name', 'text', (c) => c.notNull())
          .addColumn('from_version', 'text', (c) => c.notNull())
          .addColumn('wave', 'integer', (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('message', 'text', (c) => c.notNull())
          .addColumn('changed_at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('rollout_targets_pk', ['rollout_id', 'position'])
          .execute();
      },
    },
    // Guardrails as policy (docs/policies.md): every applied version of every policy (the
    // highest semver one is in force), and the approvals a requireApproval policy asks for.
    '0019_policies': {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('policy_versions')
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('version', 'text', (c) => c.notNull())
          .addColumn('owner', 'text', (c) => c.notNull())
          .addColumn('manifest', 'text', (c) => c.notNull())
          .addColumn('digest', 'text', (c) => c.notNull())
          .addColumn('applied_by', 'text', (c) => c.notNull())
          .addColumn('applied_at', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('policy_versions_pk', ['name', 'version'])
          .execute();
        await adapter
          .addSerialPrimaryKey(db.schema.createTable('approvals'), 'seq')
          .addColumn('id', 'text', (c) => c.notNull().unique())
          .addColumn('instance_id', 'text', (c) => c.notNull())
          .addColumn('team_id', 'text', (c) => c.notNull())
          .addColumn('instance_name', 'text', (c) => c.notNull())
          .addColumn('approver_team', 'text', (c) => c.notNull())
          .addColumn('decisions', 'text', (c) => c.notNull())
          .addColumn('requested_by', 'text', (c) => c.notNull())
          .addColumn('requested_at', 'text', (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('decided_by', 'text')
          .addColumn('decided_at', 'text')
          .addColumn('reason', 'text')
          .execute();
        await db.schema.createIndex('approvals_state').on('approvals').columns(['state', 'approver_team']).execute();
        await db.schema.createIndex('approvals_instance').on('approvals').column('instance_id').execute();
      },
    },
    '0021_backstage_kinds': {
      async up(db: Kysely<any>) {
        // What a Backstage import understood and its export writes back: the component type
        // (service, website, library…) and the team a team belongs to (Group spec.parent, by name).
        await db.schema.alterTable('services').addColumn('component_type', 'text').execute();
        await db.schema.alterTable('teams').addColumn('parent', 'text').execute();
      },
    },
    // Reads the API serves most. A counter that moves whenever something a request's
    // authentication depends on changes (a
    // token revoked or changed; a user disabled, changed or removed; a membership added, changed
    // or removed; a team changed or removed), so that the server may keep verified tokens and
    // still honour a revocation with the very next request (AuthEpoch in types.ts). Triggers
    // bump it in the changing transaction itself: every writer, this process or another, a
    // restore or a hand-made fix, moves it.
    '0022_auth_epoch': {
      async up(db: Kysely<any>) {
        await db.schema.createTable('auth_epoch').addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('epoch', 'bigint', (c) => c.notNull()).execute();
        await db.insertInto('auth_epoch').values({ id: 1, epoch: 1 }).execute();
        // A team's page in order, all of it or of one product, read from the index in order and
        // stopped at the page's end, instead of every row of the team sorted (bench/api-reads.mjs).
        await db.schema.createIndex('instances_team_page').on('instances').columns(['team_id', 'seq']).execute();
        await db.schema.createIndex('instances_team_product_page').on('instances').columns(['team_id', 'product', 'seq']).execute();
        const watched: Array<[string, string[]]> = [
          ['tokens', ['update', 'delete']], ['users', ['update', 'delete']], ['memberships', ['insert', 'update', 'delete']], ['teams', ['update', 'delete']],
        ];
        if (adapter.dialect === 'postgres') {
          await sql`create function paved_bump_auth_epoch() returns trigger language plpgsql as $$
            begin update auth_epoch set epoch = epoch + 1 where id = 1; return null; end $$`.execute(db);
          for (const [table, events] of watched) {
            // TRUNCATE too (PostgreSQL's own event; SQLite has none): a hand-made reload must move it as well.
            await sql.raw(`create trigger ${table}_auth_epoch after ${[...events, 'truncate'].join(' or ')} on ${table} for each statement execute function paved_bump_auth_epoch()`).execute(db);
          }
        } else {
          for (const [table, events] of watched) {
            for (const event of events) {
              await sql.raw(`create trigger ${table}_${event}_auth_epoch after ${event} on ${table} begin update auth_epoch set epoch = epoch + 1 where id = 1; end`).execute(db);
            }
          }
        }
      },
    },
    // Webhook deliveries acknowledged before they are applied (docs/metrics/dora.md "Ingestion"):
    // a delivery's normalised facts wait here, durably, until a drainer of an API process applies
    // them and deletes the row in the same transaction. A row whose facts could not be applied
    // keeps its error and is not retried.
    '0023_delivery_inbox': {
      async up(db: Kysely<any>) {
        await adapter
          .addSerialPrimaryKey(db.schema.createTable('delivery_inbox'), 'id')
          .addColumn('source', 'text', (c) => c.notNull())
          .addColumn('event', 'text', (c) => c.notNull())
          .addColumn('facts', 'text', (c) => c.notNull())
          .addColumn('received_at', 'text', (c) => c.notNull())
          .addColumn('error', 'text')
          .execute();
      },
    },
    // Product deprecations move the auth epoch too (migration 0022): every instance the API
    // answers shows its product's deprecation, so the server keeps them with the verified tokens
    // for as long as the epoch stays, instead of reading them with every GET. They change by a
    // platform team's hand, rarely; each change starts the server's kept reads afresh.
    '0024_deprecations_move_auth_epoch': {
      async up(db: Kysely<any>) {
        if (adapter.dialect === 'postgres') {
          await sql.raw('create trigger product_deprecations_auth_epoch after insert or update or delete or truncate on product_deprecations for each statement execute function paved_bump_auth_epoch()').execute(db);
          return;
        }
        for (const event of ['insert', 'update', 'delete']) {
          await sql.raw(`create trigger product_deprecations_${event}_auth_epoch after ${event} on product_deprecations begin update auth_epoch set epoch = epoch + 1 where id = 1; end`).execute(db);
        }
      },
    },
    // Room in each page of instances (PostgreSQL) for the new version of a row a pass updates:
    // the claim's and the intent's updates set no indexed column, so with the new version on the
    // same page they are heap-only (HOT) and add no entry to the table's eleven indexes; with
    // full pages (the default, 100) nearly every update wrote all of them. 300 instances through
    // claim, intent and Ready: 5 of 900 updates HOT at 100, 251 at 70, 454 at 50 (of at most 600),
    // and the table smaller at 50 for less bloat. The backends' CPU a pass 0.70× base at 50
    // with the writes combined (bench/README §3 round 8). Only pages written from now on keep
    // the room: no table rewrite, and the ALTER takes its lock briefly.
    '0025_instances_fillfactor': {
      async up(db: Kysely<any>) {
        if (adapter.dialect === 'postgres') await sql.raw('alter table instances set (fillfactor = 50)').execute(db);
      },
    },
    // Fewer index entries for the update a pass cannot make heap-only: the Ready update moves
    // the indexed due_at, so PostgreSQL enters the row's new version in every index of
    // instances whose predicate it meets (eleven before this). instances_listing
    // (created_at, id) has had no reader since listings order by seq (0007). Parts and
    // workload-bound instances are a minority: their indexes become partial, so a top-level
    // instance without a service is in neither and its updates write neither; every reader
    // asks for `parent_id = …` or `service_id = …`, which implies the predicate on both
    // dialects. The quota's count (team, product, plan) is answered from a team's product page
    // with the plan at its end, read from the index alone as before, instead of an index of its
    // own. bench/README §3 round 8b.
    '0026_instances_fewer_index_writes': {
      async up(db: Kysely<any>) {
        await db.schema.dropIndex('instances_listing').execute();
        await db.schema.dropIndex('instances_team_product_page').execute();
        await db.schema.createIndex('instances_team_product_page').on('instances').columns(['team_id', 'product', 'seq', 'plan']).execute();
        await db.schema.dropIndex('instances_quota').execute();
        await db.schema.dropIndex('instances_parent').execute();
        await db.schema.createIndex('instances_parent').on('instances').column('parent_id').where(sql.ref('parent_id'), 'is not', null).execute();
        await db.schema.dropIndex('instances_workload').execute();
        await db.schema.createIndex('instances_workload').on('instances').columns(['service_id', 'environment']).where(sql.ref('service_id'), 'is not', null).execute();
      },
    },
    // Whose an API record is (docs/metrics/dora.md "Whose records a team's calls touch"): records
    // are kept by repository and any team may claim any repository, so an API record now carries
    // the team that recorded it, and only that team's calls rewrite it (repos/delivery-owner.ts).
    // A column rather than a wider key: SQLite cannot change a table's unique constraint without
    // rebuilding it, and one record per id and repository keeps every metric as it was.
    '0027_delivery_recorded_by': {
      async up(db: Kysely<any>) {
        for (const table of DELIVERY_RECORD_TABLES) await db.schema.alterTable(table).addColumn('recorded_by', 'text').execute();
        await backfillRecordedBy(db);
      },
    },
  };
}

const DELIVERY_RECORD_TABLES = ['delivery_deployments', 'delivery_changes', 'delivery_issues'] as const;

/**
 * 0027's owners of the API records kept before it, per repository: under host `paved` (a service
 * without a repository URL, path `team/service`) the team its path names; under a repository
 * the services of exactly one team claim, that team. The rest (a repository several teams'
 * services claim, or none now does) stay without an owner: who recorded them is not known, and
 * the first team to record the same id again takes them, as before 0027, once.
 */
async function backfillRecordedBy(db: Kysely<any>): Promise<void> {
  const repoIds = new Set<number>();
  for (const table of DELIVERY_RECORD_TABLES) {
    const rows = await db.selectFrom(table).select('repo_id').distinct().where('source', '=', 'api').execute() as { repo_id: number }[];
    for (const row of rows) repoIds.add(Number(row.repo_id));
  }
  if (repoIds.size === 0) return;
  const teams = await db.selectFrom('teams').select(['id', 'name']).execute() as { id: string; name: string }[];
  const teamByName = new Map(teams.map((t) => [t.name, t.id]));
  const services = await db.selectFrom('services').select(['team_id', 'repository_url']).where('repository_url', 'is not', null).execute() as { team_id: string; repository_url: string }[];
  const claimants = new Map<string, Set<string>>();
  for (const service of services) {
    const key = repositoryKeyOfUrl(service.repository_url);
    if (key === undefined) continue;
    const at = `${key.host} ${key.path}`;
    claimants.set(at, (claimants.get(at) ?? new Set()).add(service.team_id));
  }
  const repositories = await db.selectFrom('delivery_repositories').select(['id', 'host', 'path']).where('id', 'in', [...repoIds]).execute() as { id: number; host: string; path: string }[];
  for (const repository of repositories) {
    let owner: string | undefined;
    if (repository.host === 'paved') {
      owner = teamByName.get(repository.path.split('/')[0]!);
    } else {
      const teamIds = claimants.get(`${repository.host} ${repository.path}`);
      if (teamIds?.size === 1) [owner] = teamIds;
    }
    if (owner === undefined) continue;
    for (const table of DELIVERY_RECORD_TABLES) {
      await db.updateTable(table).set({ recorded_by: owner }).where('repo_id', '=', repository.id).where('source', '=', 'api').execute();
    }
  }
}

/** The `kid` of a stored envelope (JSON written by @paved/secrets), undefined when it has none. */
function keyIdOf(envelope: string): string | undefined {
  try {
    const kid = (JSON.parse(envelope) as { kid?: unknown }).kid;
    return typeof kid === 'string' ? kid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs pending migrations under the adapter's cross-process lock; throws the first failure.
 * `upTo` stops after the named migration (tests of a data migration set up the state before it).
 */
export async function runMigrations(adapter: DialectAdapter, upTo?: string): Promise<void> {
  await adapter.withMigrationLock(async () => {
    const migrator = new Migrator({
      db: adapter.db,
      provider: { getMigrations: async () => migrations(adapter) },
      migrationTableName: 'paved_migrations',
      migrationLockTableName: 'paved_migrations_lock',
      // Kysely's default, `localeCompare`, loads ICU's collation data (~2 MiB of the node binary
      // an idle server then keeps resident); the names are ASCII, so code-unit order is the same.
      nameComparator: (a, b) => (a < b ? -1 : a > b ? 1 : 0),
    });
    const { error } = upTo === undefined ? await migrator.migrateToLatest() : await migrator.migrateTo(upTo);
    if (error) throw error;
  });
}
