/**
 * Shared fixtures for the attribute tests: real images generated with sharp (nothing checked in),
 * an origin serving them, and a hook plan of native hooks that declares what it reads.
 */
import sharp, { type Sharp } from 'sharp';
import type { NodeHooks } from '../../src/node.ts';
import type { HookPlan, HookRequestState, HookResponseState, PhaseVerdict, RouteHooks } from '../../src/pipeline/hook-seam.ts';

export interface TestImages {
  readonly jpeg: Buffer;
  readonly png: Buffer;
  readonly webp: Buffer;
  readonly avif: Buffer;
  readonly gif: Buffer;
  readonly tiff: Buffer;
  readonly svg: Buffer;
  readonly animatedGif: Buffer;
  readonly corrupt: Buffer;
  /** Header intact, pixel data cut short: inspectable, not decodable. */
  readonly truncated: Buffer;
}

/** A 1 MP-ish gradient-free image is tiny once encoded; noise keeps sizes realistic. */
export async function solid(width: number, height: number, alpha = false): Promise<Sharp> {
  const channels = alpha ? 4 : 3;
  return sharp({ create: { width, height, channels, background: alpha ? { r: 10, g: 120, b: 200, alpha: 0.5 } : '#2a7ab0', noise: { type: 'gaussian', mean: 128, sigma: 30 } } });
}

export async function makeImages(): Promise<TestImages> {
  const frame = (color: string): Promise<Buffer> => sharp({ create: { width: 40, height: 30, channels: 4, background: color } }).png().toBuffer();
  const jpeg = await (await solid(800, 600)).jpeg({ quality: 80 }).withMetadata({ orientation: 6 }).toBuffer();
  return {
    jpeg,
    png: await (await solid(300, 200, true)).png().toBuffer(),
    webp: await (await solid(320, 240)).webp().toBuffer(),
    avif: await (await solid(64, 48)).avif().toBuffer(),
    gif: await (await solid(50, 40)).gif().toBuffer(),
    tiff: await (await solid(60, 30)).tiff().toBuffer(),
    svg: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="120" height="60"><rect width="120" height="60" fill="#c33"/></svg>'),
    animatedGif: await sharp([await frame('#f00'), await frame('#0f0'), await frame('#00f')], { join: { animated: true } }).gif({ loop: 0 }).toBuffer(),
    // Garbage after the first 400 bytes of a JPEG: not even the header parses.
    corrupt: Buffer.concat([jpeg.subarray(0, 400), Buffer.alloc(2000, 0x5a)]),
    truncated: jpeg.subarray(0, jpeg.length >> 1),
  };
}

/**
 * A PNG that declares width × height but carries no pixel data: the shape of a decompression
 * bomb (a header promising gigapixels) without spending memory to build one.
 */
export function bombPng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.writeUInt8(8, 8); // bit depth
  ihdr.writeUInt8(2, 9); // truecolour
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])), chunk('IEND', Buffer.alloc(0))]);
}

function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}

export type OnRequest = (request: HookRequestState) => PhaseVerdict | void;
export type OnResponse = (request: HookRequestState, response: HookResponseState) => PhaseVerdict | void;

const CONTINUE: PhaseVerdict = { tag: 'continue' };

/** A one-route plan of native hooks (the pipeline cannot tell them from Wasm ones). */
export function nativePlan(hooks: { onRequest?: OnRequest; onOriginResponse?: OnResponse; onResponse?: OnResponse; readsGeo?: boolean; readsImage?: boolean }): HookPlan {
  const route: RouteHooks = {
    onRequest: hooks.onRequest === undefined ? null : { run: async (request) => hooks.onRequest!(request) ?? CONTINUE },
    onOriginResponse: hooks.onOriginResponse === undefined ? null : { run: async (request, response) => hooks.onOriginResponse!(request, response) ?? CONTINUE },
    onResponse: hooks.onResponse === undefined ? null : { run: async (request, response) => hooks.onResponse!(request, response) ?? CONTINUE },
    requestBodyBytes: 0,
    responseBodyBytes: 0,
    readsGeo: hooks.readsGeo ?? false,
    readsImage: hooks.readsImage ?? false,
  };
  return { select: () => route };
}

/** The `hooks` start option for a native plan. */
export function nodeHooks(plan: HookPlan): NodeHooks {
  return {
    plan: () => plan,
    admin: null,
    reload: async () => ({ ok: true, hooks: [] }),
    close: async () => {},
  };
}

export interface BinaryResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

/** GET with exactly these headers, body as bytes (images are not text). */
export async function getBytes(url: string, headers: Record<string, string> = {}): Promise<BinaryResponse> {
  const { request } = await import('undici');
  const response = await request(url, { headers });
  return { status: response.statusCode, headers: response.headers, body: Buffer.from(await response.body.arrayBuffer()) };
}
