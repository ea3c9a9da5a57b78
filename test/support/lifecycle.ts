/** Servers a test starts are closed after it, newest first (edgehook before its origin). */
import { afterEach } from 'vitest';

interface Closable {
  close(): Promise<void>;
}

export interface ServerTracker {
  /** Registers a started server for closing after the current test; returns it. */
  track<T extends Closable>(server: T): T;
}

export function closeAfterEach(): ServerTracker {
  const open: Closable[] = [];
  afterEach(async () => {
    for (const server of open.splice(0).reverse()) await server.close();
  });
  return {
    track(server) {
      open.push(server);
      return server;
    },
  };
}
