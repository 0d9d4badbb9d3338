// {{service}}: answers GET / with whether its database works.
// Credentials come from the environment, never from this repository: run it with
//   paved run -f score.yaml --env dev -- npm start
import { createServer } from 'node:http';
import pg from 'pg';

const service = process.env.SERVICE_NAME ?? '{{service}}';
const port = Number(process.env.PORT ?? {{port}});
if (!process.env.DATABASE_URL) {
  console.error('DATABASE_URL is not set: start me with `paved run -f score.yaml --env dev -- npm start`');
  process.exit(1);
}

// A small pool: the dev plan allows a limited number of connections.
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 4, connectionTimeoutMillis: 5000 });

async function databaseStatus() {
  try {
    await pool.query('SELECT 1');
    return 'ok';
  } catch (error) {
    // The message names what failed; the URL (with its password) is never printed.
    console.error(`database check failed: ${error.message}`);
    return 'error';
  }
}

const server = createServer(async (request, response) => {
  if (request.method !== 'GET' || request.url !== '/') {
    response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not found' }));
    return;
  }
  const database = await databaseStatus();
  response.writeHead(database === 'ok' ? 200 : 503, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ service, database, time: new Date().toISOString() }));
});

server.listen(port, () => console.log(`${service} listening on http://localhost:${port}`));

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.close(() => pool.end().then(() => process.exit(0))));
}
