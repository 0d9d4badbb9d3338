import { createServer, type AddressInfo, type Socket } from 'node:net';
import { afterAll, expect, it } from 'vitest';
import { withTenant } from './tenant-client.js';

/** A stand-in Redis that answers every command (PONG to PING, OK to the rest) and keeps their names. */
function fakeRedis() {
  const commands: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      // Whole RESP arrays of bulk strings: *N, then N times $len and the argument.
      for (;;) {
        const lines = buffer.split('\r\n');
        const count = Number(lines[0]?.slice(1));
        if (!lines[0]?.startsWith('*') || lines.length < 1 + 2 * count + 1) return;
        const args = Array.from({ length: count }, (_, i) => lines[2 + 2 * i]!);
        buffer = lines.slice(1 + 2 * count).join('\r\n');
        commands.push(args.join(' ').toLowerCase());
        socket.write(args[0]!.toLowerCase() === 'ping' ? '+PONG\r\n' : '+OK\r\n');
      }
    });
  });
  return { server, commands, sockets };
}

const fake = fakeRedis();
afterAll(async () => {
  for (const socket of fake.sockets) socket.destroy();
  await new Promise((resolve) => fake.server.close(resolve));
});

it('logs the tenant in and runs the work, sending nothing else (no CLIENT SETINFO)', async () => {
  await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
  const port = String((fake.server.address() as AddressInfo).port);
  const pong = await withTenant({ host: '127.0.0.1', port, username: 'tenant', password: 'pw', prefix: 'tenant:' }, 'connect', (redis) => redis.ping());
  expect(pong).toBe('PONG');
  // The login (ioredis 6 logs in with HELLO 3 AUTH), then the work: one write each way before it.
  expect(fake.commands).toHaveLength(2);
  expect(fake.commands[0]).toMatch(/^(hello 3 )?auth tenant pw$/);
  expect(fake.commands[1]).toBe('ping');
});
