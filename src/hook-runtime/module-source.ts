/**
 * Fetches a hook module's bytes: a file path (relative to the config file's directory) or an
 * `https://` URL, always checked against the pinned sha256 when one is given (required for URLs).
 * Runs at load and reload only.
 */
import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { isAbsolute, resolve } from 'node:path';
import { sha256Of } from './prepare-module.ts';

/** Largest module accepted (a SpiderMonkey component is ~12 MB). */
const MAX_MODULE_BYTES = 64 * 1_048_576;

export interface ModuleSourceOptions {
  readonly baseDir: string;
  /** Extra CA certificates trusted for https:// modules (tests use a local self-signed server). */
  readonly httpsCa?: string | Buffer;
  readonly fetchTimeoutMs?: number;
}

function fetchHttps(url: string, options: ModuleSourceOptions): Promise<Uint8Array> {
  return new Promise((resolvePromise, reject) => {
    const req = request(url, {
      method: 'GET', ...(options.httpsCa === undefined ? {} : { ca: options.httpsCa }),
      timeout: options.fetchTimeoutMs ?? 30_000,
    }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return reject(new Error(`GET ${url}: HTTP ${res.statusCode}`));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_MODULE_BYTES) req.destroy(new Error(`GET ${url}: module larger than ${MAX_MODULE_BYTES} bytes`));
        else chunks.push(chunk);
      });
      res.on('end', () => resolvePromise(new Uint8Array(Buffer.concat(chunks))));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: timed out`)));
    req.on('error', reject);
    req.end();
  });
}

export async function loadModuleBytes(module: string, sha256: string | undefined, options: ModuleSourceOptions): Promise<Uint8Array> {
  let bytes: Uint8Array;
  if (module.startsWith('https://')) {
    if (sha256 === undefined) throw new Error(`${module}: an https:// module must be pinned by sha256`);
    bytes = await fetchHttps(module, options);
  } else {
    const path = isAbsolute(module) ? module : resolve(options.baseDir, module);
    bytes = new Uint8Array(await readFile(path));
  }
  if (sha256 !== undefined) {
    const actual = sha256Of(bytes);
    if (actual !== sha256) throw new Error(`${module}: sha256 mismatch (expected ${sha256}, got ${actual})`);
  }
  return bytes;
}
