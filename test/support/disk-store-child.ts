/**
 * The child side of disk-store-process.ts: a real disk store in its own process, driven by JSON
 * commands on stdin (one per line), answering one JSON line per command on stdout. Log lines go
 * to stderr. Bodies are derived from their key, so a read can tell a whole body from a damaged one.
 *
 * Run as: node disk-store-child.ts '<DiskStoreOptions as JSON, without logger>'
 */
import { createInterface } from 'node:readline';
import { createDiskStore, type DiskStoreOptions } from '../../src/cache/disk-store.ts';
import { createLogger } from '../../src/log.ts';
import { makeObject } from '../unit/cache/make-object.ts';
import { bodyFor, type DiskCommand, type SyncCommand } from './disk-store-process.ts';

const options = JSON.parse(process.argv[2] ?? '{}') as Omit<DiskStoreOptions, 'logger'>;
const store = createDiskStore({ ...options, logger: createLogger({ level: 'debug' }) });

async function run(command: DiskCommand): Promise<unknown> {
  switch (command.op) {
    case 'batch':
      // In one event turn, so lmdb commits the writes they queue in one transaction.
      return command.commands.map((sync) => runSync(sync));
    case 'flush':
      await store.flush();
      return null;
    case 'wait':
      await new Promise((resolve) => setTimeout(resolve, command.ms));
      return null;
    case 'close':
      // The totals after close: every write settled, so they must equal what is on disk.
      await store.close();
      return store.stats();
    default:
      return runSync(command);
  }
}

function runSync(command: SyncCommand): unknown {
  switch (command.op) {
    case 'put':
      for (const key of command.keys) store.put(makeObject({ key, url: `https://x/${key}`, body: bodyFor(key, command.bytes), tags: command.tags ?? [] }));
      return null;
    case 'get':
      return command.keys.map((key) => {
        const body = store.get(key)?.[0]?.body;
        return body === undefined ? 'miss' : body.equals(bodyFor(key, body.byteLength)) ? 'hit' : 'damaged';
      });
    case 'purge-tag':
      return store.purgeTag(command.tag);
    case 'stats':
      return store.stats();
  }
}

// Commands run one at a time, in order, as a test would call the store in-process.
let chain = Promise.resolve();
createInterface({ input: process.stdin }).on('line', (line) => {
  const command = JSON.parse(line) as DiskCommand;
  chain = chain.then(async () => {
    const result = await run(command);
    process.stdout.write(JSON.stringify({ result: result ?? null }) + '\n');
    if (command.op === 'close') process.exit(0);
  });
});
