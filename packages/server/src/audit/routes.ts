import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '#typebox';
import type { AuditExportLine } from '@paved/model';
import type { Services } from '../services.js';
import { principalOf } from '../http/auth.js';
import { page, problemResponses } from '../http/schemas.js';
import { AuditExportQuery, AuditKey, AuditListQuery, AuditRecord, auditExportResponse } from './schemas.js';

/** Reading the audit log (docs/audit.md). Nothing here writes it: every change is recorded by the recorder hooks. */
export const auditRoutes: FastifyPluginAsyncTypebox<{ services: Services }> = async (app, { services }) => {
  const { audit } = services;

  app.get('/audit', {
    schema: {
      summary: 'Audit records, newest first, one line per request (platform admins; team owners with team)', tags: ['audit'], operationId: 'listAudit',
      querystring: AuditListQuery, response: { 200: page(AuditRecord), ...problemResponses },
    },
  }, async (request) => audit.list(principalOf(request), request.query));

  app.get('/audit/export', {
    schema: {
      summary: 'The audit chain as JSON lines, to verify (paved audit verify) or ship elsewhere (platform admins; team owners with team)',
      tags: ['audit'], operationId: 'exportAudit',
      querystring: AuditExportQuery, response: { 200: auditExportResponse, ...problemResponses },
    },
  }, async (request, reply) => {
    const lines = await audit.export(principalOf(request), request.query);
    // Streamed line by line: the typed reply knows the schema's string, not a stream of them.
    return reply.type('application/x-ndjson').send(Readable.from(jsonLines(lines)) as unknown as string);
  });

  app.get('/audit/keys', {
    schema: {
      summary: 'The public keys the audit log is signed with', tags: ['audit'], operationId: 'listAuditKeys',
      response: { 200: Type.Object({ items: Type.Array(AuditKey) }), ...problemResponses },
    },
  }, async (request) => ({ items: await audit.keys(principalOf(request)) }));
};

async function* jsonLines(lines: AsyncIterable<AuditExportLine>): AsyncGenerator<string> {
  for await (const line of lines) yield `${JSON.stringify(line)}\n`;
}
