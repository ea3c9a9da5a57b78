/**
 * Overload protection (issue 8, "Overload and faults"): past limits.max_in_flight requests, past
 * an origin's connections plus origin.max_queue waiting fetches, or while the event loop lags
 * past limits.max_event_loop_delay, new requests get a fast 503 with Retry-After instead of
 * queueing until memory grows. And a graceful shutdown under load loses no accepted request.
 */
import { Agent, request } from 'undici';
import { describe, expect, it } from 'vitest';
import { send, startEdgehook } from '../../support/edgehook.ts';
import { closeAfterEach } from '../../support/lifecycle.ts';
import { startOrigin } from '../../support/origin.ts';

const servers = closeAfterEach();

/** An origin that answers /slow/<ms> after that long, and /held/* once the test opens the gate; uncacheable. */
async function slowOrigin(gate: Promise<void> = Promise.resolve()) {
  return servers.track(await startOrigin(async (req, res) => {
    req.resume();
    const delay = Number(/^\/slow\/(\d+)/.exec(req.url ?? '')?.[1] ?? 0);
    await new Promise((resolve) => setTimeout(resolve, delay));
    if (req.url?.startsWith('/held/')) await gate;
    res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-store' });
    res.end(`done ${req.url}`);
  }));
}

function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/**
 * Sends `n` requests at once to `url?i=…`; the origin holds them until `expectedShed` of the
 * answers are 503s, so every request arrives while the admitted ones are still in flight (the
 * 503s come back while the origin still holds the others: shedding does not wait).
 */
async function burst(url: string, n: number, expectedShed: number, held: { open: () => void }) {
  let shedSoFar = 0;
  const safety = setTimeout(held.open, 10_000);
  const responses = await Promise.all(Array.from({ length: n }, async (_, i) => {
    const response = await send(`${url}?i=${i}`);
    if (response.status === 503 && ++shedSoFar === expectedShed) held.open();
    return response;
  }));
  clearTimeout(safety);
  return responses;
}


describe('load shedding', () => {
  it('answers past limits.max_in_flight with a fast 503 and Retry-After', async () => {
    const held = gate();
    const origin = await slowOrigin(held.promise);
    const node = servers.track(await startEdgehook(origin.url, { limits: { max_in_flight: 5 } }));
    const responses = await burst(`${node.url}/held/in-flight`, 20, 15, held);
    const served = responses.filter((r) => r.status === 200);
    const shed = responses.filter((r) => r.status === 503);
    expect(served).toHaveLength(5);
    expect(shed).toHaveLength(15);
    for (const r of shed) {
      expect(r.headers['retry-after']).toBe('1');
      expect(r.headers['cache-status']).toMatch(/detail=EH_OVERLOADED/);
    }
    expect(origin.requests).toHaveLength(5);
    expect(node.metrics.snapshot().shed.get('in-flight')).toBe(15);
    // Capacity comes back as requests finish.
    expect((await send(`${node.url}/slow/0`)).status).toBe(200);
  });

  it('answers past an origin\'s connections plus origin.max_queue with a fast 503', async () => {
    const held = gate();
    const origin = await slowOrigin(held.promise);
    const node = servers.track(await startEdgehook(origin.url, { origin: { connections: 2, max_queue: 2 } }));
    const responses = await burst(`${node.url}/held/queue`, 7, 3, held);
    expect(responses.filter((r) => r.status === 200)).toHaveLength(4);
    const shed = responses.filter((r) => r.status === 503);
    expect(shed).toHaveLength(3);
    for (const r of shed) expect(r.headers['retry-after']).toBe('1');
    expect(node.metrics.snapshot().shed.get('origin-queue')).toBe(3);
    expect(node.metrics.snapshot().originErrors.size).toBe(0);
  });

  it('sheds while the event loop lags past limits.max_event_loop_delay, and recovers', async () => {
    const origin = await slowOrigin();
    const node = servers.track(await startEdgehook(origin.url, { limits: { max_event_loop_delay: '100ms' } }));
    expect((await send(`${node.url}/slow/0`)).status).toBe(200);
    // Hog the loop (the node shares this process) for ~1.5 s in 300 ms slices.
    const hog = setInterval(() => {
      const until = performance.now() + 300;
      while (performance.now() < until);
    }, 10);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const during = await send(`${node.url}/slow/0?during`);
    clearInterval(hog);
    expect(during.status).toBe(503);
    expect(during.headers['retry-after']).toBe('1');
    expect(node.metrics.snapshot().shed.get('event-loop')).toBeGreaterThanOrEqual(1);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await send(`${node.url}/slow/0?after`)).status).toBe(200);
  });
});

describe('graceful shutdown under load', () => {
  it('answers every request the node accepted, while it drains', { timeout: 20_000 }, async () => {
    const origin = await slowOrigin();
    const node = await startEdgehook(origin.url);
    const agent = new Agent({ connections: 40, pipelining: 1 });
    const answered = new Map<string, number>();
    const failed = new Map<string, string>();
    let stop = false;
    let sequence = 0;
    const client = async (): Promise<void> => {
      while (!stop) {
        const path = `/slow/20?n=${sequence++}`;
        try {
          const response = await request(`${node.url}${path}`, { dispatcher: agent });
          const body = await response.body.text();
          answered.set(path, response.statusCode);
          if (response.statusCode === 200 && body !== `done ${path}`) failed.set(path, `body ${body}`);
        } catch (error) {
          failed.set(path, (error as { code?: string }).code ?? String(error));
        }
      }
    };
    const clients = Array.from({ length: 40 }, client);
    while (origin.requests.length < 80) await new Promise((resolve) => setTimeout(resolve, 10));
    await node.close(5_000);
    stop = true;
    await Promise.all(clients);
    await agent.close();
    // Accepted = it reached the origin through the node: each of those must have been answered whole.
    const accepted = origin.requests.map((r) => r.url);
    expect(accepted.length).toBeGreaterThanOrEqual(80);
    const lost = accepted.filter((path) => answered.get(path) !== 200 || failed.has(path));
    expect(lost).toEqual([]);
    // What failed was refused before the node took it (the listener was closed).
    for (const [path, code] of failed) expect([path, code]).toEqual([path, expect.stringMatching(/ECONNREFUSED|UND_ERR_SOCKET|ECONNRESET/)]);
  });
});
