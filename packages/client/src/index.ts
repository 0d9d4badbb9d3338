export { createClient } from './client.js';
export type { ClientOptions, Health, PageOptions, PavedClient } from './client.js';
export type { WatchOptions } from './watch.js';
export type { FetchLike } from './transport.js';
export { errorFromResponse } from './problem.js';
export { SseParser, type ServerSentEvent } from './sse.js';
export type { LogsClient } from './client.js';
export type { FollowLogsOptions } from './follow-logs.js';
export type { MeasuresClient } from './measures.js';
