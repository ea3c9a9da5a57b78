declare module 'edgehook:hooks/types@0.1.0' {
  /**
   * A local response that ends the phase (deny, redirect, replacement).
   */
  export interface LocalResponse {
    status: number,
    headers: Array<[string, string]>,
    body: Uint8Array,
  }
  /**
   * What a phase handler returns. The first verdict other than `continue` ends its phase.
   */
  export type Verdict = VerdictContinue | VerdictRespond;
  /**
   * Go on with the next hook of the phase (edits made through host calls are kept).
   */
  export interface VerdictContinue {
    tag: 'continue',
  }
  /**
   * Stop the phase and answer with this response instead.
   */
  export interface VerdictRespond {
    tag: 'respond',
    val: LocalResponse,
  }
  /**
   * Why the host refused an edit. The edit is not applied; the hook keeps running.
   * # Variants
   * 
   * ## `"forbidden-name"`
   * 
   * Header name is not a token, or is a framing / hop-by-hop field the proxy owns.
   * ## `"invalid-value"`
   * 
   * Value contains CR, LF or NUL, or is not a valid path / query / status.
   * ## `"too-large"`
   * 
   * Name, value, body or the number of edits exceeds its bound.
   * ## `"wrong-phase"`
   * 
   * The function is not available in the current phase (e.g. set-ttl outside on-origin-response).
   * ## `"body-not-buffered"`
   * 
   * The body was not opted into (config `body.request` / `body.response` is 0).
   */
  export type EditError = 'forbidden-name' | 'invalid-value' | 'too-large' | 'wrong-phase' | 'body-not-buffered';
  /**
   * Which cache path produced the response a response phase sees.
   * # Variants
   * 
   * ## `"hit"`
   * 
   * ## `"stale"`
   * 
   * ## `"revalidated"`
   * 
   * ## `"miss"`
   * 
   * ## `"pass"`
   * 
   * ## `"local"`
   * 
   * ## `"error"`
   */
  export type ResponseSource = 'hit' | 'stale' | 'revalidated' | 'miss' | 'pass' | 'local' | 'error';
  /**
   * Geo attributes of the client IP (declared now; filled by the geo resolver).
   */
  export interface GeoAttributes {
    country?: string,
    region?: string,
    city?: string,
    latitude?: number,
    longitude?: number,
    asn?: number,
  }
  /**
   * Image attributes of a response body (declared now; filled by the image inspector).
   */
  export interface ImageAttributes {
    format: string,
    width: number,
    height: number,
  }
  /**
   * # Variants
   * 
   * ## `"debug"`
   * 
   * ## `"info"`
   * 
   * ## `"warn"`
   * 
   * ## `"error"`
   */
  export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
}
