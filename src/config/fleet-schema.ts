/**
 * `fleet:` — coordination of many nodes through Redis (src/fleet): purges and hook deploys are
 * entries on one Redis Stream that every node applies in order. Off unless configured, so a node
 * (the demo, the tests) never needs an external service.
 */
import * as s from './dsl/index.ts';
import type { HostPort } from './parse-host-port.ts';

export interface SentinelConfig {
  /** The master name the sentinels monitor. */
  readonly master: string;
  readonly nodes: readonly HostPort[];
}

export interface FleetConfig {
  /** redis:// or rediss:// (TLS) URL, credentials and database number included. */
  readonly redis: string;
  /** Redis Sentinel: the master's address comes from these; null = `redis` names the server. */
  readonly sentinel: SentinelConfig | null;
  /** The stream key; the other keys the fleet uses start with it (`<stream>:…`). */
  readonly stream: string;
  /** This node's name in reports; null = the host name. */
  readonly nodeId: string | null;
  /** Bound on the stream's length (XADD MAXLEN ~). */
  readonly maxEntries: number;
  /** How long POST /purge waits for this node to apply the purge it published. */
  readonly applyWait: number;
  /** How long a deploy's per-node reports are kept. */
  readonly reportTtl: number;
}

const KEY = { regex: /^[A-Za-z0-9:._{}-]{1,128}$/, label: 'a Redis key like "edgehook:fleet"' };

const fleetShape = {
  redis: s.url({
    doc: 'The Redis server the fleet shares: redis://[user:password@]host:port[/db], or rediss:// for TLS. Every node and the `edgehook fleet` commands use the same one.',
    protocols: ['redis:', 'rediss:'],
  }),
  sentinel: s.orNull(s.object({
    master: s.string({ doc: 'The master name the sentinels monitor (`sentinel monitor NAME …`).', pattern: { regex: /^[A-Za-z0-9._-]{1,64}$/, label: 'a name like "mymaster"' } }),
    nodes: s.array(s.hostPort({ doc: 'A sentinel as HOST:PORT.' }), { doc: 'Sentinels to ask for the master\'s address; one answering is enough.', minItems: 1 }),
  }, {
    doc: 'Redis Sentinel (high availability): every connection asks the sentinels for the current master and follows a failover (commands wait meanwhile). The redis URL then gives only the credentials, the database and TLS (rediss://); its host and port are not used.',
    required: true,
  }), { meaning: 'none: redis names the server' }),
  stream: s.string({ doc: 'The Redis Stream purges and deploys are published on. Other keys the fleet uses start with it (<stream>:module:<sha256>, <stream>:hooks, <stream>:nodes, …), so two fleets can share a Redis with two names. On Redis Cluster, write it in braces ({edgehook:fleet}) so every key shares one hash slot (the publishing scripts touch several).', default: 'edgehook:fleet', pattern: KEY }),
  node_id: s.orNull(s.string({
    doc: 'This node\'s name in deploy reports and `edgehook fleet status`. Give each node of one machine its own.',
    pattern: { regex: /^[A-Za-z0-9._-]{1,64}$/, label: 'a name like "edge-1"' },
  }), { meaning: 'the host name' }),
  max_entries: s.int({
    doc: 'Bound on the stream (XADD MAXLEN ~, so Redis trims whole blocks: a few more may stay). A node offline for longer than the stream reaches back finds a gap on return: it drops its whole cache (it cannot know what was purged), logged as EH_FLEET_GAP.',
    default: 100_000, min: 100,
  }),
  apply_wait: s.duration({ doc: 'How long POST /purge on a node waits to have applied the purge it published (the answer then says how many objects it removed here; the other nodes apply it as they read it), and how long a starting node waits for the fleet\'s deploys in force before it listens anyway.', default: '5s', min: 1 }),
  report_ttl: s.duration({ doc: 'How long each node\'s report on a deploy (applied or refused, and why) is kept in Redis.', default: '7d', min: 1000 }),
};

export const fleetField: s.Field<FleetConfig | null> = s.orOff(s.orNull(s.object(fleetShape, {
  doc: 'Fleet coordination on Redis: POST /purge (and `edgehook fleet purge|deploy|rollback`) publish on a Redis Stream that every node applies in order, catching up after a disconnect or restart.',
  required: true,
}), { meaning: 'off: this node alone, no Redis' }));

/** Fails to compile when the schema and the declared type disagree. */
export type FleetSchemaMatches = s.SameShape<s.ObjectValue<typeof fleetShape>, FleetConfig>;
