/**
 * One request on a connection of its own (no keep-alive pool), so consecutive requests to a node
 * with workers are handed to its workers in turn, as separate clients would be.
 */
import { request, type IncomingHttpHeaders } from 'node:http';

export interface FreshResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export function getOnce(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<FreshResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: { connection: 'close', ...headers }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

export async function getJson<T>(url: string, method = 'GET', body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(url, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: response.status, body: (await response.json()) as T };
}
