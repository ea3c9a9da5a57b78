/**
 * Turns the raw local response a guest returned into the pipeline's LocalResponse, or fails the
 * call: an invalid status or header is a bad verdict, too many headers or too big a body is
 * oversized output. Nothing a guest returns reaches the client unchecked.
 */
import type { LocalResponse } from '../pipeline/hook-seam.ts';
import { checkHeader, checkStatus, LIMITS } from './edit-validation.ts';
import { HookFailure } from './hook-failure.ts';

export function checkLocalResponse(
  status: number, headers: ReadonlyArray<readonly [string, string]>, body: Uint8Array, maxBody: number,
): LocalResponse {
  if (checkStatus(status) !== undefined) {
    throw new HookFailure('EH_HOOK_BAD_VERDICT', `local response status ${status} is not in 200..599`);
  }
  if (headers.length > LIMITS.localResponseHeaders) {
    throw new HookFailure('EH_HOOK_BAD_OUTPUT', `local response has ${headers.length} headers (max ${LIMITS.localResponseHeaders})`);
  }
  for (const [name, value] of headers) {
    const invalid = checkHeader(name, value);
    if (invalid !== undefined) {
      throw new HookFailure('EH_HOOK_BAD_VERDICT', `local response header ${JSON.stringify(name.slice(0, 64))}: ${invalid}`);
    }
  }
  const limit = Math.max(maxBody, LIMITS.localResponseBody);
  if (body.length > limit) {
    throw new HookFailure('EH_HOOK_BAD_OUTPUT', `local response body of ${body.length} bytes (max ${limit})`);
  }
  return { status, headers, body: Buffer.from(body.buffer, body.byteOffset, body.byteLength) };
}
