/**
 * Why a listener could not bind, in one line that names the address and the key or flag that
 * set it — instead of a stack trace from deep inside node:net. Covers the errors bind(2) and
 * the resolver give for a listen address: in use, forbidden (a port below 1024 without the
 * capability), not on this host, a host name that does not resolve.
 */
import { StartupError } from '../errors.ts';
import { formatHostPort, type HostPort } from '../config/parse-host-port.ts';

/** The config key and the command-line flag that choose an address ("listen", "--listen"). */
export interface AddressSource {
  readonly key: string;
  readonly flag: string;
}

const CAUSES: Readonly<Record<string, string>> = {
  EADDRINUSE: 'the address is already in use (another process listens there)',
  EACCES: 'permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)',
  EPERM: 'operation not permitted',
  EADDRNOTAVAIL: 'the address is not one of this host\'s',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name could not be resolved (DNS)',
};

/** A StartupError for a failed listen; anything that is not an errno error is returned as is. */
export function describeListenError(error: unknown, address: HostPort, source: AddressSource): unknown {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (typeof code !== 'string') return error;
  const cause = CAUSES[code] ?? (error as Error).message;
  return new StartupError(
    `cannot listen on ${formatHostPort(address)} (${source.key}, ${source.flag}): ${cause} [${code}]`,
    { cause: error },
  );
}
