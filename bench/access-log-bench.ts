/**
 * Per-line cost of the access log's compiled formatters (JSON with the default fields, and an
 * nginx-style template), on a real AccessEntry of a real request — the part of a logged request
 * that `--group logs` cannot separate from its noise on a shared machine. Not a test:
 *   node bench/access-log-bench.ts
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AccessEntry } from '../src/logs/access-entry.ts';
import { compileJsonFormat, compileTemplateFormat, DEFAULT_JSON_FIELDS } from '../src/logs/access-format.ts';

const ROUNDS = 200_000;

/** One real request/response pair to build entries from (all on 127.0.0.1). */
async function oneExchange(): Promise<{ req: IncomingMessage; res: ServerResponse; close: () => void }> {
  return new Promise((resolve) => {
    const server = createServer((req, res) => {
      res.end('ok');
      resolve({ req, res, close: () => server.close() });
    });
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      request({ port, host: '127.0.0.1', path: '/hit/1k', headers: { 'user-agent': 'bench' } }, (r) => r.resume()).end();
    });
  });
}

function measure(name: string, run: () => unknown): void {
  for (let i = 0; i < 20_000; i++) run();
  const start = process.hrtime.bigint();
  let sink = 0;
  for (let i = 0; i < ROUNDS; i++) sink += (run() as string).length;
  const ns = Number(process.hrtime.bigint() - start) / ROUNDS;
  console.log(`${name.padEnd(44)} ${ns.toFixed(0).padStart(6)} ns/line  (${sink / ROUNDS} bytes)`);
}

const { req, res, close } = await oneExchange();
const json = compileJsonFormat(DEFAULT_JSON_FIELDS);
const text = compileTemplateFormat('$client_ip "$method $url" $status $bytes $duration_ms "$cache_status"');
const entry = (): AccessEntry => {
  const e = new AccessEntry(req, res);
  e.clientIp = '127.0.0.1';
  e.head('edgehook; hit', 'hit');
  e.close();
  return e;
};
const fixed = entry();
measure('entry: new AccessEntry + head + close', () => JSON.stringify(entry().status));
measure('JSON, default fields (format only)', () => json(fixed));
measure('template (format only)', () => text(fixed));
measure('entry + JSON line', () => json(entry()));
close();
