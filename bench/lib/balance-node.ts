/**
 * A bare multi-process HTTP node for bench/listen-balance.ts: N worker processes serving 1 KB
 * from memory on one address, shared in one of three ways:
 *  - cluster: node:cluster's default on Linux (SCHED_RR): the primary accepts and hands each
 *    connection to the next worker over IPC;
 *  - cluster-shared: node:cluster with SCHED_NONE: the primary's listening socket is shared and
 *    every worker accepts from its one queue;
 *  - reuse-port: each worker binds the port itself (`reusePort`) and the kernel spreads
 *    connections over their queues by a hash of the 4-tuple.
 * No edgehook code: this measures the sharing mechanisms alone.
 *
 * Run: node bench/lib/balance-node.ts cluster|cluster-shared|reuse-port N
 * stdout: one `{"msg":"listening","url":…}` line, then one JSON line per stdin command:
 *   report     → {"workers":[{"requests","connections"}…]}
 *   kill-one   → SIGKILL to the first live worker (a crash)
 *   close-one  → the first live worker closes its listener and its idle connections (a drain)
 */
import { fork, type ChildProcess } from 'node:child_process';
import cluster, { type Worker } from 'node:cluster';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';

type Mode = 'cluster' | 'cluster-shared' | 'reuse-port';
interface Counts { requests: number; connections: number }
type Peer = Worker | ChildProcess;

const BODY = Buffer.alloc(1024, 'x');

if (process.env.BALANCE_WORKER !== undefined) await runWorker();
else await runPrimary(process.argv[2] as Mode, Number(process.argv[3] ?? 2));

/** A worker: serves, counts, and answers its primary's report / close messages over IPC. */
async function runWorker(): Promise<void> {
  const counts: Counts = { requests: 0, connections: 0 };
  const server: Server = createServer((_req, res) => {
    counts.requests++;
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': BODY.length });
    res.end(BODY);
  });
  server.on('connection', () => counts.connections++);
  const port = Number(process.env.BALANCE_PORT ?? 0);
  const reusePort = process.env.BALANCE_WORKER === 'reuse-port';
  await new Promise<void>((resolve) => server.listen({ port, host: '127.0.0.1', reusePort }, resolve));
  process.on('message', (message: string) => {
    if (message === 'report') process.send!({ counts });
    if (message === 'close') {
      server.close();
      server.closeIdleConnections();
    }
  });
  process.send!({ port: (server.address() as AddressInfo).port });
}

async function runPrimary(mode: Mode, workers: number): Promise<void> {
  if (mode === 'cluster-shared') cluster.schedulingPolicy = cluster.SCHED_NONE;
  const peers: Peer[] = [];
  let port = 0;
  for (let i = 0; i < workers; i++) {
    const peer = mode !== 'reuse-port'
      ? (cluster.setupPrimary({ exec: import.meta.filename }), cluster.fork({ BALANCE_WORKER: mode }))
      // The first reuse-port worker picks the port; the others bind the same one.
      : fork(import.meta.filename, [], { env: { ...process.env, BALANCE_WORKER: 'reuse-port', BALANCE_PORT: String(port) } });
    const [message] = await once(peer, 'message') as [{ port: number }];
    port = message.port;
    peers.push(peer);
  }
  process.stdout.write(JSON.stringify({ msg: 'listening', url: `http://127.0.0.1:${port}` }) + '\n');
  createInterface({ input: process.stdin }).on('line', (line) => void command(line, peers));
  process.once('SIGTERM', () => {
    for (const peer of peers) peer.kill('SIGKILL');
    process.exit(0);
  });
}

async function command(line: string, peers: Peer[]): Promise<void> {
  const live = peers.filter((peer) => isAlive(peer));
  if (line === 'report') {
    const counts = await Promise.all(live.map(async (peer) => {
      peer.send('report');
      const [message] = await once(peer, 'message') as [{ counts: Counts }];
      return message.counts;
    }));
    process.stdout.write(JSON.stringify({ workers: counts }) + '\n');
    return;
  }
  const first = live[0];
  if (line === 'kill-one') first?.kill('SIGKILL');
  if (line === 'close-one') first?.send('close');
  process.stdout.write(JSON.stringify({ done: line }) + '\n');
}

function isAlive(peer: Peer): boolean {
  const child = 'process' in peer ? peer.process : peer;
  return child.exitCode === null && child.signalCode === null;
}
