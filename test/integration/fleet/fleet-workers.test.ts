/**
 * A node of two worker processes in a fleet (`edgehook serve --workers 2`, a real redis-server):
 * its primary follows the stream for the workers, so a purge reaches every worker's memory tier,
 * a deploy reaches every worker, and a worker that crashes afterwards comes back running the
 * deployed module, not the config file's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleetKeys } from '../../../src/fleet/fleet-entry.ts';
import { createFleetPublisher } from '../../../src/fleet/fleet-publisher.ts';
import { connectFleetRedis, parsePairs, type FleetRedis } from '../../../src/fleet/fleet-redis.ts';
import { silentLogger } from '../../../src/log.ts';
import { buildFixture } from '../../hooks/support/fixtures.ts';
import { spawnEdgehook, type EdgehookProcess } from '../../support/edgehook-process.ts';
import { getJson, getOnce } from '../../support/fresh-connection.ts';
import { startOrigin, type TestOrigin } from '../../support/origin.ts';
import { startRedis, type RedisServer } from '../../support/redis-server.ts';

const STREAM = 'test:fleet-workers';
let redis: RedisServer;
let origin: TestOrigin;
let node: EdgehookProcess;
let connection: FleetRedis;
let fetches = 0;

beforeAll(async () => {
  redis = await startRedis();
  origin = await startOrigin((_req, res) => {
    fetches += 1;
    res.writeHead(200, { 'cache-control': 'max-age=600', 'surrogate-key': 'pages' });
    res.end('page');
  });
  const header = await buildFixture('header');
  node = await spawnEdgehook(origin.url, {
    fleet: { redis: redis.url, stream: STREAM, node_id: 'workers' },
    hooks: [{ name: 'h', module: header.path, phases: ['on-request'] }],
  }, { admin: true, workers: 2 });
  connection = await connectFleetRedis(redis.url, silentLogger, 'test');
}, 120_000);

afterAll(async () => {
  await connection?.close();
  await node?.stop();
  await origin?.close();
  await redis?.close();
});

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Statuses of `n` requests, each on a connection of its own (so both workers take some). */
async function statuses(n: number): Promise<number[]> {
  return Promise.all(Array.from({ length: n }, async () => (await getOnce(`${node.url}/page`)).status));
}

describe('a node with workers in a fleet', () => {
  it('applies a purge in every worker\'s memory tier', async () => {
    await until('the primary to follow', async () => (await getJson<{ fleet: { connected: boolean } }>(`${node.adminUrl}/hooks`)).body.fleet.connected);
    // Requests on fresh connections reach both workers sooner or later (README: sequential ones
    // split ~19/21 of 40), and each fills its own memory tier once: one origin fetch per worker.
    const untilFetches = async (target: number): Promise<void> => {
      for (let i = 0; i < 400 && fetches < target; i++) await getOnce(`${node.url}/page`);
      expect(fetches).toBe(target);
    };
    await untilFetches(2);
    const purge = await getJson<{ purged: number; applied: boolean }>(`${node.adminUrl}/purge`, 'POST', { tag: 'pages' });
    expect(purge.body).toMatchObject({ applied: true, purged: 1 });
    // Had one worker kept its copy, it would go on serving hits: the origin would see 3 fetches, never 4.
    await untilFetches(4);
  });

  it('runs a deploy in every worker, and in workers started after it', async () => {
    const deny = await buildFixture('deny');
    const { id } = await createFleetPublisher(connection, fleetKeys(STREAM), 1000).deploy('h', deny.bytes);
    await until('the node\'s report', async () => Object.keys(parsePairs(await connection.command(['HGETALL', fleetKeys(STREAM).report(id)]))).length === 1);
    expect(await statuses(8)).toEqual(Array(8).fill(403));

    // Every worker replaced, one after the other: whichever takes a request started after the deploy.
    const health = await getJson<{ workers: Array<{ pid: number }> }>(`${node.adminUrl}/healthz`);
    for (const { pid } of health.body.workers) {
      process.kill(pid, 'SIGKILL');
      await until('the worker to be replaced', async () => {
        const now = await getJson<{ status: string; workers: Array<{ pid: number }> }>(`${node.adminUrl}/healthz`);
        return now.body.status === 'ok' && !now.body.workers.some((w) => w.pid === pid);
      });
    }
    expect(await statuses(12)).toEqual(Array(12).fill(403));
  });

  it('keeps the deploy across a config reload (POST /reload re-reads the file, whose module is the old one)', async () => {
    const reload = await getJson<{ ok: boolean }>(`${node.adminUrl}/reload`, 'POST');
    expect(reload).toMatchObject({ status: 200, body: { ok: true } });
    expect(await statuses(12)).toEqual(Array(12).fill(403));
  });
});
