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
   * Value contains CR, LF or NUL, or is not a valid path / query / status / transform.
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
   * Geo attributes of the client IP (override table, then geoip-lite's data). Every field is
   * optional: private addresses have none, IPv6 and country-only ranges fewer. There is no ASN,
   * continent or postal code: the data does not carry them (wit/README.md, "Geo fields").
   */
  export interface GeoAttributes {
    /**
     * ISO 3166-1 alpha-2, upper case ("GB").
     */
    country?: string,
    /**
     * Subdivision code within the country ("ENG", "CA").
     */
    region?: string,
    city?: string,
    /**
     * WGS84 degrees; latitude and longitude are present together or not at all.
     */
    latitude?: number,
    longitude?: number,
    /**
     * IANA time zone ("Europe/London").
     */
    timezone?: string,
    /**
     * The data set's "in the European Union" flag for the country.
     */
    eu?: boolean,
    /**
     * US metro (DMA) code.
     */
    metro?: number,
    /**
     * Radius in km around latitude/longitude within which the address probably is.
     */
    accuracyRadius?: number,
  }
  /**
   * Image attributes of a response body, read from its headers (pixels are not decoded).
   */
  export interface ImageAttributes {
    /**
     * jpeg, png, webp, avif, gif, tiff or svg.
     */
    format: string,
    /**
     * Stored pixel dimensions (EXIF orientation not applied); one frame of an animation.
     */
    width: number,
    height: number,
    /**
     * EXIF orientation 1-8, when the image has one.
     */
    orientation?: number,
    hasAlpha: boolean,
    /**
     * Size of the encoded body in bytes.
     */
    bytes: bigint,
    /**
     * Frame count of an animated image, only when more than one.
     */
    pages?: number,
  }
  /**
   * How width and height combine when both are given (sharp's fit).
   * # Variants
   * 
   * ## `"cover"`
   * 
   * Fill the box, cropping what overflows.
   * ## `"contain"`
   * 
   * Fit inside the box, letterboxing the rest.
   * ## `"fill"`
   * 
   * Fill the box exactly, ignoring the aspect ratio.
   * ## `"inside"`
   * 
   * Fit inside the box, keeping the aspect ratio (the default).
   * ## `"outside"`
   * 
   * Cover the box, keeping the aspect ratio (one side may be larger).
   */
  export type TransformFit = 'cover' | 'contain' | 'fill' | 'inside' | 'outside';
  /**
   * Output format of a transform.
   * # Variants
   * 
   * ## `"jpeg"`
   * 
   * ## `"png"`
   * 
   * ## `"webp"`
   * 
   * ## `"avif"`
   * 
   * ## `"auto"`
   * 
   * The best of the node's `image.transform.negotiate` list the client's Accept names
   * explicitly, else the source's own; the response then varies on Accept.
   */
  export type TransformFormat = 'jpeg' | 'png' | 'webp' | 'avif' | 'auto';
  /**
   * An image transform. At least one of width, height, format, quality must be set.
   */
  export interface TransformSpec {
    /**
     * 1 to the node's `image.transform.max_width` (default 4096).
     */
    width?: number,
    /**
     * 1 to the node's `image.transform.max_height` (default 4096).
     */
    height?: number,
    /**
     * Default inside.
     */
    fit?: TransformFit,
    /**
     * Never scale up (true is what most callers want).
     */
    withoutEnlargement: boolean,
    /**
     * None keeps the source's format (PNG for sources that cannot be written back).
     */
    format?: TransformFormat,
    /**
     * Encoder quality 1-100; none = the node's `image.transform.default_quality`.
     */
    quality?: number,
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
