// The page-view baseline: a bare Fastify route answering with the same HTML bytes from memory.
// `tsx bench/baseline-server.ts <html file> <port>`; prints "ready" once listening on 127.0.0.1.
import fs from 'node:fs';
import Fastify from 'fastify';

const [file, port] = process.argv.slice(2);
const html = fs.readFileSync(file!);
const app = Fastify({ logger: false });
app.get('/page', async (_req, reply) => reply.type('text/html; charset=utf-8').send(html));
await app.listen({ port: Number(port), host: '127.0.0.1' });
process.stdout.write('ready\n');
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
