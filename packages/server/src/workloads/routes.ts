import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Services } from '../services.js';
import { principalOf } from '../http/auth.js';
import { ApplyWorkloadRequest, SetWorkloadConfigRequest, WorkloadConfig, WorkloadParams, WorkloadPlan } from '../catalog/schemas.js';
import { Instance } from '../instances/schemas.js';
import { page, problemResponses } from '../http/schemas.js';

/** Score workloads: plan or apply a file to one environment, and list what it got there. */
export const workloadRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const { workloads } = services;

  app.post('/teams/:team/services/:service/environments/:environment/workload', {
    schema: {
      summary: "Apply a Score workload to an environment (dryRun: only plan); creates, updates and deletes the service's instances there to match",
      tags: ['workloads'], operationId: 'applyWorkload', params: WorkloadParams, body: ApplyWorkloadRequest, response: { 200: WorkloadPlan, 202: WorkloadPlan, ...problemResponses },
    },
  }, async (request, reply) => {
    const { team, service, environment } = request.params;
    const plan = await workloads.apply(principalOf(request), { team, service, environment, score: request.body.score, dryRun: request.body.dryRun ?? false });
    return reply.status(plan.applied ? 202 : 200).send(plan);
  });

  app.get('/teams/:team/services/:service/environments/:environment/instances', {
    schema: {
      summary: "The instances a service's workload has in an environment (shared ones it names included)",
      tags: ['workloads'], operationId: 'listWorkloadInstances', params: WorkloadParams, response: { 200: page(Instance), ...problemResponses },
    },
  }, async (request) => {
    const { team, service, environment } = request.params;
    return workloads.instances(principalOf(request), team, service, environment);
  });

  app.get('/teams/:team/services/:service/environments/:environment/config', {
    schema: {
      summary: "A service's own config values in an environment: what its Score environment resource gives, over the environment's variables",
      tags: ['workloads'], operationId: 'getWorkloadConfig', params: WorkloadParams, response: { 200: WorkloadConfig, ...problemResponses },
    },
  }, async (request) => {
    const { team, service, environment } = request.params;
    return workloads.config(principalOf(request), team, service, environment);
  });

  app.put('/teams/:team/services/:service/environments/:environment/config', {
    schema: {
      summary: "Replace a service's own config values in an environment; its environment resources there take them at once",
      tags: ['workloads'], operationId: 'setWorkloadConfig', params: WorkloadParams, body: SetWorkloadConfigRequest, response: { 200: WorkloadConfig, ...problemResponses },
    },
  }, async (request) => {
    const { team, service, environment } = request.params;
    return workloads.setConfig(principalOf(request), team, service, environment, request.body.values);
  });
};
