/** The per-node state of proxy-wasm filters: shared data with compare-and-swap, metric ids, bounds. */
import { describe, expect, it } from 'vitest';
import { createProxyWasmNodeState, METRIC_LIMITS, SHARED_DATA_LIMITS } from '../../src/hook-runtime/proxy-wasm/node-state.ts';

describe('proxy-wasm node state', () => {
  it('sets shared data unconditionally with cas 0 and only on a matching cas otherwise', () => {
    const node = createProxyWasmNodeState();
    expect(node.setShared('k', Buffer.from('1'), 0)).toBe('ok');
    const { cas } = node.getShared('k')!;
    expect(node.setShared('k', Buffer.from('2'), cas + 1)).toBe('cas-mismatch');
    expect(node.setShared('k', Buffer.from('2'), cas)).toBe('ok');
    expect(node.getShared('k')?.value.toString()).toBe('2');
    expect(node.getShared('k')?.cas).not.toBe(cas);
  });

  it('refuses shared data past its bounds and counts it', () => {
    const node = createProxyWasmNodeState();
    expect(node.setShared('k'.repeat(SHARED_DATA_LIMITS.keyBytes + 1), Buffer.alloc(1), 0)).toBe('bound');
    expect(node.setShared('big', Buffer.alloc(SHARED_DATA_LIMITS.valueBytes + 1), 0)).toBe('bound');
    expect(node.bounded.get('shared-data')).toBe(2);
  });

  it('gives a (hook, name) one id, refuses another kind under it, and bounds the count', () => {
    const node = createProxyWasmNodeState();
    const id = node.defineMetric('h', 'm', 'counter');
    expect(id).toBe(1);
    expect(node.defineMetric('h', 'm', 'counter')).toBe(id);
    expect(node.defineMetric('h', 'm', 'gauge')).toBe('kind-mismatch');
    expect(node.defineMetric('other', 'm', 'counter')).toBe(2);
    for (let i = node.metrics().length; i < METRIC_LIMITS.metrics; i++) node.defineMetric('h', `m${i}`, 'gauge');
    expect(node.defineMetric('h', 'one-too-many', 'gauge')).toBe('bound');
    expect(node.bounded.get('metrics')).toBe(1);
  });
});
