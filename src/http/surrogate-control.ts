/**
 * Surrogate-Control (W3C Edge Architecture Specification 1.0): the origin's instructions to
 * surrogates (CDN nodes) as distinct from browsers. edgehook advertises itself with
 * Surrogate-Capability and honours directives that are untargeted or targeted at its name
 * (`max-age=60;edgehook`); targeted directives win over untargeted ones. Where it applies,
 * Surrogate-Control decides storage and freshness ahead of Cache-Control, as in Fastly and Akamai.
 */
import { parseDeltaSeconds } from './delta-seconds.ts';

export interface SurrogateControl {
  /** Freshness lifetime in seconds for this surrogate, if given. */
  readonly maxAge?: number;
  readonly noStore?: boolean;
}

const NONE: SurrogateControl = Object.freeze({});

/** The request header value that tells the origin which targets this node answers to. */
export function surrogateCapability(name: string): string {
  return `${name}="Surrogate/1.0"`;
}

export function parseSurrogateControl(value: string | undefined, name: string): SurrogateControl {
  if (value === undefined || value.trim() === '') return NONE;
  const target = name.toLowerCase();
  const untargeted: { maxAge?: number; noStore?: boolean } = {};
  const targeted: { maxAge?: number; noStore?: boolean } = {};
  let sawTargeted = false;
  for (const item of value.split(',')) {
    const [directivePart = '', targetPart] = item.split(';');
    const directive = directivePart.trim();
    if (directive === '') continue;
    if (targetPart !== undefined) {
      if (targetPart.trim().toLowerCase() !== target) continue;
      sawTargeted = true;
      applyDirective(targeted, directive);
    } else {
      applyDirective(untargeted, directive);
    }
  }
  return Object.freeze(sawTargeted ? targeted : untargeted);
}

function applyDirective(into: { maxAge?: number; noStore?: boolean }, directive: string): void {
  const eq = directive.indexOf('=');
  const name = (eq === -1 ? directive : directive.slice(0, eq)).toLowerCase();
  if (name === 'no-store' || name === 'no-store-remote') {
    into.noStore = true;
    return;
  }
  if (name !== 'max-age' || eq === -1 || into.maxAge !== undefined) return;
  // "max-age=60+30" carries a stale allowance after '+'; the lifetime is the first number.
  const raw = directive.slice(eq + 1);
  const plus = raw.indexOf('+');
  const seconds = parseDeltaSeconds(plus === -1 ? raw : raw.slice(0, plus));
  if (seconds !== undefined) into.maxAge = seconds;
}
