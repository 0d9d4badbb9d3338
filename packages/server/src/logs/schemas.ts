import { Type } from '#typebox';
import { Name, Timestamp } from '../http/schemas.js';

export const LogStreamParams = Type.Object({ team: Name, service: Name, environment: Name });

export const LogLine = Type.Object({
  seq: Type.Integer({ description: 'Insertion order; pass the last one as `cursor` to continue' }),
  at: Timestamp,
  service: Type.String(),
  environment: Type.String(),
  stream: Type.Union([Type.Literal('stdout'), Type.Literal('stderr')]),
  line: Type.String(),
}, { $id: 'LogLine', title: 'LogLine' });

// Items are checked one by one by the log service, so a bad line is named `lines[3].line`
// (Fastify's validator would say body.lines.3.line and stop at the first problem of a kind).
export const AppendLogLinesRequest = Type.Object({
  lines: Type.Array(Type.Unknown({
    description: '{ at?: ISO date-time (default: when received), stream: "stdout" | "stderr", line: string (cut at 16 KiB) }',
  }), { maxItems: 1000, description: 'At most 1000 lines per request' }),
}, { additionalProperties: false });

export const AppendLogLinesResponse = Type.Object({ appended: Type.Integer() });

const since = Type.Optional(Type.String({ maxLength: 64, description: 'A duration back from now (30s, 10m, 2h, 7d) or an ISO 8601 time' }));
const grep = Type.Optional(Type.String({ minLength: 1, maxLength: 1024, description: 'Only lines containing this text (case-sensitive, literal)' }));
const cursor = Type.Optional(Type.String({ maxLength: 20, description: 'A line seq: only lines after it' }));

export const LogListQuery = Type.Object({
  since, grep, cursor,
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'Default 100' })),
}, { additionalProperties: false });

export const LogFollowQuery = Type.Object({ since, grep, cursor }, { additionalProperties: false });

export const LogPage = Type.Object({
  items: Type.Array(LogLine),
  nextCursor: Type.Optional(Type.String({ description: 'Pass as `cursor` for more; absent when the stream has no more lines now' })),
});

export const PruneLogsResponse = Type.Object({
  deleted: Type.Integer({ description: 'Lines deleted' }),
  streams: Type.Integer({ description: 'Streams looked at' }),
});
