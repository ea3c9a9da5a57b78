/**
 * Starting a node's fleet coordination: the one process that follows the stream — a single-process
 * node itself, or the primary of a node with workers (its workers never connect to Redis: the
 * primary applies each entry to all of them through the same paths as the admin API). Loaded only
 * when `fleet:` is configured, so a node without it never loads the Redis client.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../clock.ts';
import type { EdgehookConfig, FleetConfig } from '../config/types.ts';
import type { Logger } from '../log.ts';
import { openFleetCursor, type FleetCursor } from './fleet-cursor.ts';
import { startFleetFollower, type FleetFollower, type FleetTarget } from './fleet-follower.ts';

export type { FleetFollower, FleetTarget } from './fleet-follower.ts';
export { withFleet } from './fleet-admin.ts';

/**
 * Read before the disk store is opened: whether the store existed before tells an old cache
 * (read the whole stream) from a new one (skip what came before it).
 */
export function openNodeFleetCursor(config: EdgehookConfig & { fleet: FleetConfig }, clock: Clock): Promise<FleetCursor> {
  return openFleetCursor(config.cache.disk?.path ?? null, config.fleet.stream, clock.now());
}

export interface NodeFleetOptions {
  readonly fleet: FleetConfig;
  readonly cursor: FleetCursor;
  readonly target: FleetTarget;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Where prepared hook modules are cached; fleet modules go in its `fleet-modules` directory. */
  readonly hookCacheDir: string;
}

export function startNodeFleet(options: NodeFleetOptions): Promise<FleetFollower> {
  const nodeId = options.fleet.nodeId ?? hostname();
  options.logger.info('fleet: following the stream', { stream: options.fleet.stream, node_id: nodeId, last_applied: options.cursor.initial.lastApplied });
  return startFleetFollower({
    config: options.fleet,
    nodeId,
    target: options.target,
    cursor: options.cursor,
    moduleDir: join(options.hookCacheDir, 'fleet-modules'),
    logger: options.logger.child({ component: 'fleet' }),
    clock: options.clock,
  });
}
