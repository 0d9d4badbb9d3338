// {{service}}: counts GET / requests in Redis. Credentials come from the environment:
//   paved run -f score.yaml --env dev -- npm start
import { createServer } from 'node:http';
import { Redis } from 'ioredis';

const port = Number(process.env.PORT ?? {{port}});
// Every key must start with the instance's prefix: the ACL user may touch nothing else.
const key = `${process.env.REDIS_PREFIX ?? ''}{{counterKey}}`;
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });

createServer(async (_request, response) => {
  try {
    const hits = await redis.incr(key);
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ service: '{{service}}', hits }));
  } catch (error) {
    response.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ service: '{{service}}', error: error.message }));
  }
}).listen(port, () => console.log(`{{service}} listening on http://localhost:${port}`));
