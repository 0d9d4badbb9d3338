// The ceiling for bench/api-reads.mjs: a Fastify hello-world route returning a small JSON
// object, in a process of its own (as `paved up` is). Prints its port on stdout once listening.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/hello', async () => ({ hello: 'world' }));
await app.listen({ host: '127.0.0.1', port: 0 });
console.log(app.server.address().port);
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
