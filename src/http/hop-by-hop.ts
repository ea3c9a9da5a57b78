/**
 * Hop-by-hop fields (RFC 9110 §7.6.1): they describe one connection, so a proxy removes them, and
 * every field the Connection header nominates, before forwarding or storing a message.
 * Callers must strip before adding their own fields (X-Forwarded-For, Via, …): a client can
 * nominate any name in Connection, and stripping afterwards would let it delete ours.
 */

export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'proxy-authenticate',
  'proxy-authorization',
]);

/** Lowercase field names listed in Connection (all field lines); `close` and friends included. */
export function connectionNominated(connectionValue: string | string[] | undefined): Set<string> {
  const nominated = new Set<string>();
  if (connectionValue === undefined) return nominated;
  if (typeof connectionValue === 'string') addTokens(connectionValue, nominated);
  else for (const line of connectionValue) addTokens(line, nominated);
  return nominated;
}

function addTokens(value: string, into: Set<string>): void {
  for (const part of value.split(',')) {
    const token = part.trim().toLowerCase();
    if (token !== '') into.add(token);
  }
}

export function isHopByHop(name: string, nominated: ReadonlySet<string>): boolean {
  const lower = name.toLowerCase();
  return HOP_BY_HOP.has(lower) || nominated.has(lower);
}

/**
 * Node rawHeaders (`[name, value, name, value, …]`) → lowercase `[name, value]` pairs in order,
 * without hop-by-hop fields and without the fields Connection nominates.
 */
export function stripHopByHopRaw(raw: readonly string[]): [string, string][] {
  let nominated: Set<string> | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i]!.toLowerCase() !== 'connection') continue;
    nominated ??= new Set<string>();
    addTokens(raw[i + 1]!, nominated);
  }
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (HOP_BY_HOP.has(name) || nominated?.has(name) === true) continue;
    pairs.push([name, raw[i + 1]!]);
  }
  return pairs;
}
