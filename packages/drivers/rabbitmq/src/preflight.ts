import { connect } from 'node:net';
import { DriverError } from '@paved/model';
import type { PreflightResult } from '@paved/driver-api';
import type { ManagementApi } from './management-api.js';
import { tagsOf } from './provision.js';

/** Can we provision on this target at all? One line per problem, each with its fix. Never throws. */
export async function preflight(api: ManagementApi): Promise<PreflightResult> {
  const { config } = api;
  let who;
  try {
    who = await api.whoami('preflight');
  } catch (error) {
    const code = error instanceof DriverError ? error.code : '';
    if (code === 'rabbitmq_unreachable') {
      return {
        ok: false,
        problems: [`${(error as Error).message.replace(/^rabbitmq: preflight failed for "[^"]*": /, '')}; enable it with "rabbitmq-plugins enable rabbitmq_management" and check config.managementUrl`],
      };
    }
    if (code === 'permission_denied') return { ok: false, problems: [`the management API refused user "${config.adminUser}": check the user and password in config.managementUrl`] };
    return { ok: false, problems: [(error as Error).message] };
  }
  const problems: string[] = [];
  const tags = who ? tagsOf({ name: who.name, tags: who.tags, password_hash: '', hashing_algorithm: '' }) : [];
  if (!tags.includes('administrator')) {
    problems.push(`user "${config.adminUser}" lacks the "administrator" tag needed to create vhosts and users; run: rabbitmqctl set_user_tags ${config.adminUser} administrator`);
  }
  const overview = await api.overview('preflight').catch(() => undefined);
  const amqpProblem = await probeTcp(config.host, config.port);
  if (amqpProblem) problems.push(`cannot reach the AMQP listener at ${config.host}:${config.port} (${amqpProblem}); check config.amqpUrl, config.host and config.port`);
  return { ok: problems.length === 0, problems, ...(overview?.rabbitmq_version ? { version: `RabbitMQ ${overview.rabbitmq_version}` } : {}) };
}

/** Undefined when a TCP connection opens, else the reason. */
function probeTcp(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 3_000 });
    const done = (reason?: string) => {
      socket.destroy();
      resolve(reason);
    };
    socket.once('connect', () => done());
    socket.once('timeout', () => done('timeout'));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
  });
}
