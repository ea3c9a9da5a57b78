/**
 * edgehook_build_info: which edgehook and which Node.js a node runs, as labels of a gauge that is
 * always 1 (the Prometheus convention for build facts), so a dashboard can tell a fleet's
 * versions apart and an alert can join on them. Read once from package.json.
 */
import { readFileSync } from 'node:fs';

export interface BuildInfo {
  readonly version: string;
  readonly nodeVersion: string;
}

let cached: BuildInfo | undefined;

export function buildInfo(): BuildInfo {
  cached ??= {
    version: (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version,
    nodeVersion: process.versions.node,
  };
  return cached;
}
