/**
 * Fleet coordination through Redis Sentinel (`fleet.sentinel`), with real servers: a master, its
 * replica and one sentinel on loopback. The master dies; the sentinel promotes the replica; the
 * nodes follow it without a restart, and purges published after the failover reach them all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectFleetRedis } from '../../../src/fleet/fleet-redis.ts';
import { silentLogger } from '../../../src/log.ts';
import type { EdgehookNode } from '../../../src/node.ts';
import { send, startEdgehook } from '../../support/edgehook.ts';
import { closeAfterEach } from '../../support/lifecycle.ts';
import { startOrigin } from '../../support/origin.ts';
import { startRedis, type RedisServer } from '../../support/redis-server.ts';

const servers = closeAfterEach();
let master: RedisServer;
let replica: RedisServer;
let sentinel: RedisServer;

beforeAll(async () => {
  master = await startRedis();
  replica = await startRedis({ replicaOf: master.port });
  sentinel = await startRedis({ sentinelFor: master.port });
}, 60_000);
afterAll(async () => {
  for (const server of [sentinel, replica, master]) await server?.close();
});

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const lastApplied = async (node: EdgehookNode): Promise<string | null> => (JSON.parse((await send(`${node.adminUrl}/hooks`)).body) as { fleet: { lastApplied: string | null } }).fleet.lastApplied;

describe('fleet through Redis Sentinel', () => {
  it('nodes follow a failover to the promoted replica, and purges published after it reach them', async () => {
    const origin = servers.track(await startOrigin((_req, res) => {
      res.writeHead(200, { 'cache-control': 'max-age=600', 'surrogate-key': 'tagged' });
      res.end('x');
    }));
    // The URL's host is not used with sentinels: a port nothing listens on shows it.
    const fleet = { redis: 'redis://127.0.0.1:1', sentinel: { master: 'fleetmaster', nodes: [`127.0.0.1:${sentinel.port}`] }, stream: 'test:sentinel' };
    const nodes = [
      servers.track(await startEdgehook(origin.url, { fleet: { ...fleet, node_id: 's1' } })),
      servers.track(await startEdgehook(origin.url, { fleet: { ...fleet, node_id: 's2' } })),
    ];
    const before = JSON.parse((await send(`${nodes[0]!.adminUrl}/purge`, { method: 'POST', body: JSON.stringify({ tag: 'tagged' }) })).body) as { published: string };
    for (const node of nodes) await waitFor('the first purge', async () => (await lastApplied(node)) === before.published);

    await master.stop();
    const asker = servers.track(await connectFleetRedis(`redis://127.0.0.1:${sentinel.port}`, silentLogger, 'test'));
    await waitFor('the sentinel to promote the replica', async () => {
      const reply = await asker.command(['SENTINEL', 'get-master-addr-by-name', 'fleetmaster']) as [string, string];
      return Number(reply[1]) === replica.port;
    });

    for (const node of nodes) await send(`${node.url}/a`);
    let after: { published?: string; applied?: boolean } = {};
    await waitFor('a purge through the new master', async () => {
      const answer = await send(`${nodes[0]!.adminUrl}/purge`, { method: 'POST', body: JSON.stringify({ tag: 'tagged' }) });
      after = JSON.parse(answer.body) as typeof after;
      return answer.status === 200 && after.applied === true;
    });
    for (const node of nodes) {
      await waitFor('the node to apply it', async () => (await lastApplied(node)) === after.published);
      expect(String((await send(`${node.url}/a`)).headers['cache-status'])).toContain('fwd=');
    }
  }, 90_000);
});
