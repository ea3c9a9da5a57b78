/**
 * Listen addresses: "HOST:PORT", with IPv6 hosts in brackets ("[::1]:8080") as in URLs. Port 0
 * means "any free port" (tests read the real one from server.address()). A port alone ("8080",
 * ":8080", as nginx's `listen 8080` and Go's ":8080" are written) keeps the default host,
 * 127.0.0.1: an operator who means every address says 0.0.0.0 — the admin API must never open
 * to the world because a host was left out.
 */
import { isIP } from 'node:net';

export interface HostPort {
  /** IP address or host name, without brackets. */
  readonly host: string;
  readonly port: number;
}

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** An IP address (v4 or v6, no brackets) or a DNS host name. */
export function isHost(host: string): boolean {
  return isIP(host) !== 0 || HOSTNAME.test(host);
}

export function isPort(port: number): boolean {
  return Number.isInteger(port) && port >= 0 && port <= 65_535;
}

/** The host a port given alone binds to. */
export const DEFAULT_HOST = '127.0.0.1';

/** Returns the parsed address, or undefined when the text is not HOST:PORT, :PORT or PORT. */
export function parseHostPort(text: string): HostPort | undefined {
  const portOnly = /^:?(\d{1,5})$/.exec(text.trim());
  if (portOnly !== null) {
    const port = Number(portOnly[1]);
    return isPort(port) ? { host: DEFAULT_HOST, port } : undefined;
  }
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text.trim());
  if (match === null) return undefined;
  const [, bracketed, plain, portText = ''] = match;
  const host = bracketed ?? plain ?? '';
  // Brackets are for IPv6 only; a bare host must not be IPv6 (its colons would be ambiguous).
  if (bracketed !== undefined && isIP(bracketed) !== 6) return undefined;
  const port = Number(portText);
  return isHost(host) && isPort(port) ? { host, port } : undefined;
}

/** The inverse of parseHostPort, for messages and URLs. */
export function formatHostPort({ host, port }: HostPort): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}
