/**
 * Which contract functions a component imports, read once at load. The host uses it to skip work
 * nobody can observe: geo is looked up (and geoip-lite's ~110 MB loaded) only for hooks that
 * import `request.geo`, and image responses are inspected only for hooks that import
 * `response.image`. Names are "interface/function" in WIT spelling ("request/geo").
 *
 * AssemblyScript components import exactly what the hook calls. JS engines import every function
 * of the world whatever the script uses, so a JS hook always counts as reading everything.
 */
import type { PhaseName } from '../pipeline/hook-seam.ts';
import { CONTRACT_PACKAGE } from './contract.ts';
import { EXTERN_FUNC, type CoreModuleInfo } from './core-module-info.ts';

/** Everything a hook may read that costs the host something to provide. */
export interface HookReads {
  readonly geo: boolean;
  readonly image: boolean;
}

/** "request/*": an interface whose functions could not be listed (counts as importing all of them). */
const ALL = '*';
const INTERFACE = new RegExp(`^${CONTRACT_PACKAGE}/([a-z-]+)(?:@[0-9.]+)?$`);

function interfaceOf(module: string): string | undefined {
  return INTERFACE.exec(module)?.[1];
}

/** The contract functions a core module imports (the direct binding's module). */
export function coreModuleImports(info: CoreModuleInfo): Set<string> {
  const names = new Set<string>();
  for (const entry of info.imports) {
    const iface = interfaceOf(entry.module);
    if (iface !== undefined && entry.kind === EXTERN_FUNC) names.add(`${iface}/${entry.name}`);
  }
  return names;
}

const GLUE_BINDING = /const \{([^}]*)\} = imports\['([^']+)'\];/g;

/** clientIp → client-ip, hmacSha256 → hmac-sha256: jco's camelCase back to the WIT name. */
function witName(camel: string): string {
  return camel.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/**
 * The contract functions jco's glue takes from the imports object (`const { geo, getHeader:
 * getHeader$1 } = imports['edgehook:hooks/request'];`). An imported interface whose line is not
 * found (a jco whose output differs) counts as importing all of its functions: never too few.
 */
export function glueImports(glue: string, interfaces: readonly string[]): Set<string> {
  const names = new Set<string>();
  const listed = new Set<string>();
  for (const match of glue.matchAll(GLUE_BINDING)) {
    const iface = interfaceOf(match[2]!);
    if (iface === undefined) continue;
    listed.add(iface);
    for (const binding of match[1]!.split(',')) {
      const name = binding.split(':')[0]!.trim();
      if (name !== '') names.add(`${iface}/${witName(name)}`);
    }
  }
  for (const module of interfaces) {
    const iface = interfaceOf(module);
    if (iface !== undefined && !listed.has(iface)) names.add(`${iface}/${ALL}`);
  }
  return names;
}

function imports(names: ReadonlySet<string>, iface: string, fn: string): boolean {
  return names.has(`${iface}/${fn}`) || names.has(`${iface}/${ALL}`);
}

/** What a hook bound to `phases` can read: image attributes exist only in response phases. */
export function hookReads(names: ReadonlySet<string>, phases: readonly PhaseName[]): HookReads {
  return Object.freeze({
    geo: imports(names, 'request', 'geo'),
    image: imports(names, 'response', 'image') && phases.some((phase) => phase !== 'on-request'),
  });
}
