/**
 * Everything one hook call may read and ask to change: the host side of the WIT contract in plain
 * JS values, shared by every guest binding. Each change is validated when asked (an invalid one
 * returns an edit-error to the guest and is not recorded) and applied by commit() only after the
 * call returned a valid verdict.
 */
import type { PhaseName, HookRequestState, HookResponseState } from '../pipeline/hook-seam.ts';
import type { Logger } from '../log.ts';
import { GUEST_REPORT_MESSAGE, parseGuestReport, type GuestReport } from './guest-report.ts';
import { specProblem, type TransformBounds, type TransformSpec } from '../attributes/transform-spec.ts';
import { geoRecord, imageRecord, type GeoRecord, type ImageRecord } from './attribute-records.ts';
import { PendingHeaders } from './pending-headers.ts';
import {
  checkHeader, checkHeaderName, checkLabel, checkMethod, checkPath, checkQuery, checkStatus,
  LIMITS, type EditError,
} from './edit-validation.ts';

export type LogLevelName = 'debug' | 'info' | 'warn' | 'error';

export type { GeoRecord, ImageRecord } from './attribute-records.ts';

/** Per-hook settings a call needs (fixed at load). */
export interface HookCallSettings {
  readonly name: string;
  readonly config: string;
  readonly requestBodyMax: number;
  readonly responseBodyMax: number;
  readonly logger: Logger;
  /** The node's image.transform bounds: set-transform answers invalid-value outside them. */
  readonly transformBounds: TransformBounds;
}

export interface HookLogLine {
  readonly level: LogLevelName;
  readonly message: string;
  readonly fields: Record<string, string>;
}

const NO_TRACE_FIELDS: Readonly<Record<string, string>> = Object.freeze({});
const NO_LOGS: readonly HookLogLine[] = Object.freeze([]);

export class HookCallState {
  readonly phase: PhaseName;
  readonly settings: HookCallSettings;
  readonly request: HookRequestState;
  readonly response: HookResponseState | null;
  // Header edits, log lines, key parts and tags are made on first use: most calls use none of
  // them, and a call that allocates nothing it does not need is part of a hooked hit's budget.
  #requestHeaders: PendingHeaders | undefined;
  #responseHeaders: PendingHeaders | undefined;
  #logs: HookLogLine[] | undefined;
  /** trace_id / span_id added to the hook's log lines when the request is traced (set by the caller). */
  traceFields: Readonly<Record<string, string>> = NO_TRACE_FIELDS;
  /** Why a wrapped JS handle() is about to throw, as it reported it (guest-report.ts). */
  guestReport: GuestReport | null = null;
  #method: string | undefined;
  #path: string | undefined;
  #query: string | undefined;
  #keyParts: string[] | undefined;
  #requestBody: Uint8Array | undefined;
  #status: number | undefined;
  #responseBody: Uint8Array | undefined;
  #ttl: number | undefined;
  #cacheable: boolean | undefined;
  #tags: string[] | undefined;
  /** request.set-transform in on-request, response.set-transform in on-origin-response (never both). */
  #transform: TransformSpec | undefined;
  #headerEdits = 0;
  #logLinesDropped = 0;

  constructor(phase: PhaseName, settings: HookCallSettings, request: HookRequestState, response: HookResponseState | null) {
    this.phase = phase;
    this.settings = settings;
    this.request = request;
    this.response = response;
  }

  get requestHeaders(): PendingHeaders {
    return this.#requestHeaders ??= new PendingHeaders(this.request.headers);
  }

  get responseHeaders(): PendingHeaders | null {
    return this.response === null ? null : (this.#responseHeaders ??= new PendingHeaders(this.response.headers));
  }

  /** The call's log lines, in order (bounded per call). */
  get logs(): readonly HookLogLine[] {
    return this.#logs ?? NO_LOGS;
  }

  // ---- request reads ----
  method(): string { return this.#method ?? this.request.method; }
  path(): string { return this.#path ?? this.request.path; }
  query(): string { return this.#query ?? this.request.query; }
  geo(): GeoRecord | undefined {
    const geo = this.request.attributes.geo();
    return geo === undefined ? undefined : geoRecord(geo);
  }
  image(): ImageRecord | undefined {
    const image = this.response === null ? undefined : this.request.attributes.image();
    return image === undefined ? undefined : imageRecord(image);
  }
  requestBody(): Uint8Array | undefined { return this.#requestBody ?? this.request.body ?? undefined; }

  // ---- header edits (request: on-request only; response: response phases only) ----
  headerEdit(which: 'request' | 'response', op: 'set' | 'append' | 'remove', name: string, value = ''): EditError | undefined {
    const headers = which === 'request' ? (this.phase === 'on-request' ? this.requestHeaders : null) : this.responseHeaders;
    if (headers === null) return 'wrong-phase';
    const invalid = op === 'remove' ? checkHeaderName(name) : checkHeader(name, value);
    if (invalid !== undefined) return invalid;
    if (++this.#headerEdits > LIMITS.editsPerCall) return 'too-large';
    if (op === 'set') headers.set(name, value);
    else if (op === 'append') headers.append(name, value);
    else headers.remove(name);
    return undefined;
  }

  // ---- request edits ----
  #requestEdit(check: EditError | undefined, apply: () => void): EditError | undefined {
    if (this.phase !== 'on-request') return 'wrong-phase';
    if (check === undefined) apply();
    return check;
  }
  setMethod(v: string): EditError | undefined { return this.#requestEdit(checkMethod(v), () => { this.#method = v; }); }
  setPath(v: string): EditError | undefined { return this.#requestEdit(checkPath(v), () => { this.#path = v; }); }
  setQuery(v: string): EditError | undefined { return this.#requestEdit(checkQuery(v), () => { this.#query = v; }); }
  addCacheKeyPart(v: string): EditError | undefined {
    const full = this.request.cacheKeyParts.length + (this.#keyParts?.length ?? 0) >= LIMITS.cacheKeyParts;
    return this.#requestEdit(full ? 'too-large' : checkLabel(v, LIMITS.cacheKeyPart), () => { (this.#keyParts ??= []).push(v); });
  }
  setRequestBody(body: Uint8Array): EditError | undefined {
    if (this.phase !== 'on-request') return 'wrong-phase';
    if (this.settings.requestBodyMax === 0 || this.request.body === null) return 'body-not-buffered';
    if (body.length > this.settings.requestBodyMax) return 'too-large';
    this.#requestBody = body;
    return undefined;
  }

  // ---- response ----
  status(): number { return this.#status ?? this.response?.status ?? 0; }
  setStatus(status: number): EditError | undefined {
    if (this.response === null) return 'wrong-phase';
    const invalid = checkStatus(status);
    if (invalid === undefined) this.#status = status;
    return invalid;
  }
  responseBody(): Uint8Array | undefined { return this.#responseBody ?? this.response?.body ?? undefined; }
  setResponseBody(body: Uint8Array): EditError | undefined {
    if (this.response === null) return 'wrong-phase';
    if (this.settings.responseBodyMax === 0 || this.response.body === null) return 'body-not-buffered';
    if (body.length > this.settings.responseBodyMax) return 'too-large';
    this.#responseBody = body;
    return undefined;
  }

  // ---- cache policy (on-origin-response only) ----
  setTtl(seconds: number): EditError | undefined {
    if (this.phase !== 'on-origin-response') return 'wrong-phase';
    this.#ttl = seconds;
    return undefined;
  }
  setCacheable(cacheable: boolean): EditError | undefined {
    if (this.phase !== 'on-origin-response') return 'wrong-phase';
    this.#cacheable = cacheable;
    return undefined;
  }
  addTag(tag: string): EditError | undefined {
    if (this.phase !== 'on-origin-response') return 'wrong-phase';
    const full = (this.response?.tags.length ?? 0) + (this.#tags?.length ?? 0) >= LIMITS.tags;
    const invalid = full ? 'too-large' : checkLabel(tag, LIMITS.tag);
    if (invalid === undefined) (this.#tags ??= []).push(tag);
    return invalid;
  }

  // ---- image transforms: request (on-request) asks for a variant, response (on-origin-response) stores one ----
  setTransform(which: 'request' | 'response', spec: TransformSpec): EditError | undefined {
    if (this.phase !== (which === 'request' ? 'on-request' : 'on-origin-response')) return 'wrong-phase';
    // Checked now, against the node's bounds, so the hook learns of a bad spec while it can react.
    if (specProblem(spec, this.settings.transformBounds) !== null) return 'invalid-value';
    this.#transform = spec;
    return undefined;
  }

  // ---- log ----
  log(level: LogLevelName, message: string, fields: ReadonlyArray<readonly [string, string]>): void {
    // Not a log line: the guest saying why it is about to trap (guest-report.ts).
    if (message === GUEST_REPORT_MESSAGE) {
      this.guestReport = parseGuestReport(fields);
      return;
    }
    const logs = this.#logs ??= [];
    if (logs.length >= LIMITS.logLinesPerCall) {
      // Crossing the bound is said once per call (a console.log in a loop would otherwise vanish),
      // and every line past it is counted (edgehook.hook.log_lines_dropped).
      if (this.#logLinesDropped++ === 0) {
        this.settings.logger.warn('hook log lines dropped: more than the per-call bound', {
          hook: this.settings.name, phase: this.phase, limit: LIMITS.logLinesPerCall, ...this.traceFields,
        });
      }
      return;
    }
    const record: Record<string, string> = {};
    for (const [key, value] of fields.slice(0, LIMITS.logFields)) record[key.slice(0, 64)] = value.slice(0, 512);
    const line = { level, message: message.slice(0, LIMITS.logMessage), fields: record };
    logs.push(line);
    this.settings.logger[level](line.message, { hook: this.settings.name, phase: this.phase, fields: record, ...this.traceFields });
  }

  /** Log lines past the per-call bound, not written. */
  get logLinesDropped(): number {
    return this.#logLinesDropped;
  }

  /** Applies every recorded edit to the pipeline's state. Called once, after a valid verdict. */
  commit(): void {
    const request = this.request;
    if (this.phase === 'on-request') {
      this.#requestHeaders?.commit();
      if (this.#method !== undefined) request.method = this.#method;
      if (this.#path !== undefined) request.path = this.#path;
      if (this.#query !== undefined) request.query = this.#query;
      if (this.#keyParts !== undefined) request.cacheKeyParts.push(...this.#keyParts);
      if (this.#requestBody !== undefined) request.body = Buffer.from(this.#requestBody);
      if (this.#transform !== undefined) request.transform = this.#transform;
    }
    const response = this.response;
    if (response === null) return;
    this.#responseHeaders?.commit();
    if (this.#status !== undefined) response.status = this.#status;
    if (this.#responseBody !== undefined) response.body = Buffer.from(this.#responseBody);
    if (this.#ttl !== undefined) response.ttlSeconds = this.#ttl;
    if (this.#cacheable !== undefined) response.cacheable = this.#cacheable;
    if (this.#tags !== undefined) response.tags.push(...this.#tags);
    if (this.#transform !== undefined) response.transform = this.#transform;
  }
}
