/**
 * The NOTIFY channel shared by every process on one PostgreSQL database (dialect/postgres.ts
 * announces and listens on it). A module of its own so that a repository writing its own
 * announcements into a statement (createInstances) names it without loading pg.
 */
export const CHANGE_CHANNEL = 'paved_instances';
