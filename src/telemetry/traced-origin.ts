/**
 * The origin fetch as a CLIENT span, by decorating the OriginClient seam: every origin request
 * (cache fill, revalidation, pass-through) is traced in one place, and the W3C trace context is
 * written into the origin request's headers so the origin's own spans join the trace. With
 * tracing off the undecorated client is used: not even a wrapper call is added.
 */
import { SpanKind, SpanStatusCode, type Span } from '@opentelemetry/api';
import type { OriginClient, OriginRequest, OriginResponse } from '../origin/origin-client.ts';
import { ATTR } from './names.ts';
import { splitAuthority } from './pipeline-spans.ts';
import type { RequestTracing } from './request-tracing.ts';

export function traceOriginClient(inner: OriginClient, tracing: RequestTracing, originUrl: string): OriginClient {
  if (!tracing.enabled) return inner;
  const base = new URL(originUrl);
  const pathPrefix = base.pathname === '/' ? '' : base.pathname.replace(/\/$/, '');
  const { host } = splitAuthority(base.host);
  const port = base.port === '' ? (base.protocol === 'https:' ? 443 : 80) : Number(base.port);

  const traced = async (request: OriginRequest, parent: Span): Promise<OriginResponse> => {
    const span = tracing.startChild(parent, request.method, SpanKind.CLIENT);
    // Sampled out, the parent's context still goes to the origin (flagged "not sampled").
    tracing.inject(span ?? parent, request.headers);
    if (span === null) return inner.request(request);
    span.setAttribute(ATTR.httpRequestMethod, request.method);
    span.setAttribute(ATTR.serverAddress, host);
    span.setAttribute(ATTR.serverPort, port);
    // Without the query: signed URLs and tokens live there, and spans leave this machine.
    span.setAttribute(ATTR.urlFull, `${base.origin}${pathPrefix}${pathOnly(request.path)}`);
    let response: OriginResponse;
    try {
      response = await inner.request(request);
    } catch (error) {
      span.setAttribute(ATTR.errorType, errorCode(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      span.end();
      throw error;
    }
    span.setAttribute(ATTR.httpResponseStatusCode, response.status);
    if (response.status >= 400) {
      span.setAttribute(ATTR.errorType, String(response.status));
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    // The span covers the body too (ends when it is read, discarded or fails): transfer time
    // of a large object is time spent on the origin.
    response.body.onClose(() => span.end());
    return response;
  };

  return {
    authority: inner.authority,
    request: (request) => {
      const parent = request.parentSpan ?? null;
      return parent === null ? inner.request(request) : traced(request, parent);
    },
    connections: () => inner.connections(),
    close: () => inner.close(),
  };
}

function pathOnly(pathAndQuery: string): string {
  const q = pathAndQuery.indexOf('?');
  return q === -1 ? pathAndQuery : pathAndQuery.slice(0, q);
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'error';
}
