/**
 * Publishing on the fleet's stream: purges, deploys and rollbacks (admin POST /purge and the
 * `edgehook fleet` commands). A deploy stores the module bytes under their sha256 first, then —
 * in one Lua script, so no reader sees half of it — adds the entry, records it as the hook's
 * version in force (`<stream>:hooks`, read by nodes that start after the entry was trimmed) and
 * pushes it on the hook's history. A rollback pops the history and publishes the version below
 * that no node refused (or the config file's module when none is left), so a second rollback
 * goes one further back.
 * Every XADD trims the stream to about `maxEntries` (MAXLEN ~: whole radix-tree nodes at a time).
 */
import type { PurgeTarget } from '../admin/admin-server.ts';
import { createHash } from 'node:crypto';
import type { DeployRecord, FleetKeys } from './fleet-entry.ts';
import { purgeFields } from './fleet-entry.ts';
import type { FleetRedis } from './fleet-redis.ts';
import { MAX_MODULE_BYTES } from './hook-deploys.ts';

/** How many deploys of one hook are kept for rollback. */
export const HISTORY_LENGTH = 32;

// KEYS: stream, hooks hash, history list. ARGV: max entries, hook, record JSON.
// History items are {"id":…,"record":…}: a rollback needs the id to find the nodes' reports.
const DEPLOY = `
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'op', 'deploy', 'hook', ARGV[2], 'record', ARGV[3])
redis.call('HSET', KEYS[2], ARGV[2], '{"id":"' .. id .. '","op":"deploy","record":' .. ARGV[3] .. '}')
redis.call('LPUSH', KEYS[3], '{"id":"' .. id .. '","record":' .. ARGV[3] .. '}')
redis.call('LTRIM', KEYS[3], 0, ${HISTORY_LENGTH - 1})
return id`;

// ARGV[3]: the prefix of report keys. Deploys some node refused are passed over (and dropped from
// the history): returning to a version the fleet never ran would only be refused again.
const ROLLBACK = `
if redis.call('LLEN', KEYS[3]) == 0 then return redis.error_reply('NOTHING to roll back: hook ' .. ARGV[2] .. ' has no fleet deploy') end
redis.call('LPOP', KEYS[3])
local record = '{"sha256":null}'
while true do
  local item = redis.call('LINDEX', KEYS[3], 0)
  if not item then break end
  local id = string.match(item, '^{"id":"([^"]+)"')
  local refused = false
  for _, report in ipairs(redis.call('HVALS', ARGV[3] .. id)) do
    if string.find(report, '"ok":false', 1, true) then refused = true end
  end
  if not refused then
    record = string.sub(item, string.len('{"id":"' .. id .. '","record":') + 1, -2)
    break
  end
  redis.call('LPOP', KEYS[3])
end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'op', 'rollback', 'hook', ARGV[2], 'record', record)
redis.call('HSET', KEYS[2], ARGV[2], '{"id":"' .. id .. '","op":"rollback","record":' .. record .. '}')
return {id, record}`;

export interface FleetPublisher {
  /** Adds the purge; `signal` takes it out of the client's queue if Redis has not been sent it yet. */
  purge(target: PurgeTarget, signal?: AbortSignal): Promise<string>;
  /** Stores the module and publishes its deploy; the entry id and the module's sha256. */
  deploy(hook: string, module: Uint8Array, config?: unknown): Promise<{ id: string; sha256: string }>;
  /** Publishes the hook's previous version; the entry id and that version. */
  rollback(hook: string): Promise<{ id: string; record: DeployRecord }>;
}

export function createFleetPublisher(redis: FleetRedis, keys: FleetKeys, maxEntries: number): FleetPublisher {
  const bound = String(maxEntries);
  return {
    purge: async (target, signal) => {
      const fields = Object.entries(purgeFields(target)).flat();
      return String(await redis.command(['XADD', keys.stream, 'MAXLEN', '~', bound, '*', ...fields], signal === undefined ? {} : { signal }));
    },
    async deploy(hook, module, config) {
      if (module.byteLength > MAX_MODULE_BYTES) throw new Error(`the module is ${module.byteLength} bytes, more than the ${MAX_MODULE_BYTES} a hook module may have`);
      const sha256 = createHash('sha256').update(module).digest('hex');
      await redis.command(['SET', keys.module(sha256), Buffer.from(module.buffer, module.byteOffset, module.byteLength)]);
      const record: DeployRecord = config === undefined ? { sha256 } : { sha256, config };
      const id = await redis.command(['EVAL', DEPLOY, '3', keys.stream, keys.hooks, keys.history(hook), bound, hook, JSON.stringify(record)]);
      return { id: String(id), sha256 };
    },
    async rollback(hook) {
      const reply = await redis.command(['EVAL', ROLLBACK, '3', keys.stream, keys.hooks, keys.history(hook), bound, hook, keys.report('')]) as [string, string];
      return { id: String(reply[0]), record: JSON.parse(String(reply[1])) as DeployRecord };
    },
  };
}
