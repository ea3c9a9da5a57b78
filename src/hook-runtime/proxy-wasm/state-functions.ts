/**
 * Host functions over the node's filter state (node-state.ts): shared data with compare-and-swap
 * and metrics (define, increment, record, get), with the spec's statuses. A bound crossed is
 * BAD_ARGUMENT for the filter and a warn line with a stable code for the operator.
 */
import { METRIC_KINDS, Status } from './abi.ts';
import type { FilterSlot } from './filter-call.ts';
import { guarded, memoryOf } from './host-guards.ts';
import { PROXY_WASM_LOG_CODES } from './log-codes.ts';

type HostFunction = (...args: never[]) => number;

function refused(slot: FilterSlot, what: string, key: string): number {
  slot.settings.logger.warn('proxy-wasm bound crossed', { code: PROXY_WASM_LOG_CODES.bound, hook: slot.settings.name, what, key: key.slice(0, 128) });
  return Status.BadArgument;
}

export function createStateFunctions(slot: FilterSlot): Record<string, HostFunction> {
  const mem = () => memoryOf(slot);
  const { node } = slot;
  return {
    proxy_get_shared_data: guarded((k: number, kl: number, rData: number, rSize: number, rCas: number) => {
      const entry = node.getShared(mem().utf8(k, kl));
      if (entry === undefined) return Status.NotFound;
      mem().setU32(rCas, entry.cas);
      mem().give(entry.value, rData, rSize);
      return Status.Ok;
    }),
    proxy_set_shared_data: guarded((k: number, kl: number, v: number, vl: number, cas: number) => {
      const key = mem().utf8(k, kl);
      const result = node.setShared(key, mem().bytes(v, vl), cas >>> 0);
      if (result === 'bound') return refused(slot, 'shared-data', key);
      return result === 'ok' ? Status.Ok : Status.CasMismatch;
    }),
    proxy_define_metric: guarded((type: number, n: number, nl: number, rId: number) => {
      const kind = METRIC_KINDS[type];
      if (kind === undefined) return Status.BadArgument;
      const name = mem().utf8(n, nl);
      const id = node.defineMetric(slot.settings.name, name, kind);
      if (id === 'kind-mismatch') return Status.BadArgument;
      if (id === 'bound') return refused(slot, 'metrics', name);
      mem().setU32(rId, id);
      return Status.Ok;
    }),
    proxy_increment_metric: (id: number, delta: bigint) => {
      const metric = node.metric(id >>> 0);
      if (metric === undefined) return Status.NotFound;
      if (metric.kind === 'histogram' || (metric.kind === 'counter' && delta < 0n)) return Status.BadArgument;
      metric.value += BigInt(delta);
      return Status.Ok;
    },
    proxy_record_metric: (id: number, value: bigint) => {
      const metric = node.metric(id >>> 0);
      if (metric === undefined) return Status.NotFound;
      const unsigned = BigInt.asUintN(64, BigInt(value));
      metric.value = unsigned;
      if (metric.kind === 'histogram') {
        metric.count += 1;
        metric.sum += unsigned;
      }
      return Status.Ok;
    },
    proxy_get_metric: guarded((id: number, ret: number) => {
      const metric = node.metric(id >>> 0);
      if (metric === undefined) return Status.NotFound;
      mem().setU64(ret, metric.value);
      return Status.Ok;
    }),
  };
}
