/**
 * The example hooks `edgehook demo` runs, built from examples/ (cached by content hash, so only
 * the first demo pays the AssemblyScript builds) and bound to the demo origin's routes, the node
 * settings they need (a trusted loopback proxy and a geo override table, so one machine can play
 * clients from several countries), and the curl lines that show each one working and refusing.
 */
import { createHmac } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildHook } from '../../hooks/build/build-hook.ts';

/** The demo's signing key; a real deployment keeps its key out of the config file's history. */
export const DEMO_SIGNING_KEY = 'edgehook-demo-signing-key';
const CORS_ORIGIN = 'https://app.example';

interface DemoHook {
  readonly name: string;
  readonly phases: readonly string[];
  readonly routes: readonly Record<string, unknown>[];
  readonly config: unknown;
  /** Other keys of the hook's entry (body bounds, on_error, deadline), as its example's edgehook.yaml sets them. */
  readonly settings?: Readonly<Record<string, unknown>>;
}

// Request phases run in this order: security-headers answers preflights before the others look.
const DEMO_HOOKS: readonly DemoHook[] = [
  {
    name: 'security-headers', phases: ['on-request', 'on-response'], routes: [{}],
    config: { csp: "default-src 'self'", permissions_policy: 'camera=()', cors: { origins: [CORS_ORIGIN], methods: ['GET', 'PUT', 'POST'], headers: ['authorization', 'content-type'] } },
  },
  {
    name: 'geo-rules', phases: ['on-request', 'on-response'], routes: [{}],
    config: { block: [{ name: 'sanctions', countries: ['KP'] }], redirect: [{ name: 'france', countries: ['FR'], host: 'fr.example.com' }], groups: { eu: ['DE', 'FR'], na: ['US', 'CA'] } },
  },
  { name: 'signed-downloads', phases: ['on-request'], routes: [{ path: '/files/**' }], config: { secret: DEMO_SIGNING_KEY } },
  { name: 'upload-auth', phases: ['on-request'], routes: [{ path: '/uploads/**', methods: ['PUT', 'POST'] }], config: { secret: DEMO_SIGNING_KEY, max_bytes: 1_073_741_824 } },
  { name: 'image-resize', phases: ['on-request', 'on-origin-response', 'on-response'], routes: [{ path: '/img/**', methods: ['GET', 'HEAD'] }], config: { widths: [160, 320, 640, 1280] } },
  { name: 'cache-ttl', phases: ['on-origin-response'], routes: [{ path: '/static/**' }], config: '300' },
  {
    name: 'markdown-to-html', phases: ['on-origin-response'], routes: [{ path: '/docs/**', methods: ['GET', 'HEAD'] }], config: { stylesheet: '/static/docs.css' },
    settings: { body: { response: '64KiB', overflow: 'pass' }, on_error: 'open', timeout_ms: 250, memory_mb: 32 },
  },
];

/**
 * Node settings the demo hooks need: loopback is a trusted proxy (so `X-Forwarded-For` picks the
 * client: never do this on a shared machine), and documentation address ranges stand for countries.
 */
export const DEMO_NODE_SETTINGS = {
  proxy: { trusted_proxies: ['127.0.0.1', '::1'] },
  geo: {
    overrides: [
      { cidr: '203.0.113.0/24', country: 'DE', eu: true },
      { cidr: '198.51.100.0/24', country: 'US', region: 'CA', eu: false },
      { cidr: '192.0.2.0/24', country: 'KP', eu: false },
      { cidr: '100.64.0.0/24', country: 'FR', eu: true },
    ],
  },
} as const;

/** Builds the example hooks and returns raw `hooks:` config items pointing at the built modules. */
export async function buildDemoHooks(cacheDir: string): Promise<Record<string, unknown>[]> {
  const outDir = join(cacheDir, 'demo-hooks');
  await mkdir(outDir, { recursive: true });
  return Promise.all(DEMO_HOOKS.map(async (hook) => {
    const entry = fileURLToPath(new URL(`../../examples/${hook.name}/hook.as`, import.meta.url));
    const { component } = await buildHook(entry, { cacheDir });
    const module = join(outDir, `${hook.name}.wasm`);
    await writeFile(module, component);
    return { name: hook.name, module, phases: hook.phases, routes: hook.routes, config: hook.config, ...hook.settings };
  }));
}

/** A download URL the signed-downloads hook accepts for the next hour (examples/signed-downloads/README.md). */
export function signedDemoPath(path: string, nowMs: number): string {
  const expires = Math.floor(nowMs / 1000) + 3600;
  const sig = createHmac('sha256', DEMO_SIGNING_KEY).update(`${path}\n${expires}`).digest('base64url');
  return `${path}?expires=${expires}&sig=${sig}`;
}

/** A bearer JWT upload-auth accepts under /uploads/demo/ for the next hour (examples/upload-auth/README.md). */
export function demoUploadToken(nowMs: number): string {
  const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: 'demo', scope: '/uploads/demo/', exp: Math.floor(nowMs / 1000) + 3600, max_size: 1_048_576 })}`;
  return `${head}.${createHmac('sha256', DEMO_SIGNING_KEY).update(head).digest('base64url')}`;
}

export interface DemoCurl {
  /** The command line, ready to paste. */
  readonly command: string;
  /** What it shows (printed as a comment). */
  readonly shows: string;
  /** The status it gets, and text its output contains (case-insensitive), so a test can run the lines and check them. */
  readonly status: number;
  readonly shown?: string;
}

/** Per example, the curl lines that show it working and each kind of refusal. */
export function demoCurls(nodeUrl: string, nowMs: number): ReadonlyArray<readonly [example: string, curls: DemoCurl[]]> {
  const bearer = `-H 'authorization: Bearer ${demoUploadToken(nowMs)}'`;
  const put = `curl -si -X PUT --data-binary 'hello, edge'`;
  const from = (ip: string): string => `curl -si -H 'x-forwarded-for: ${ip}'`;
  return [
    ['signed-downloads (/files/**)', [
      { command: `curl -si '${nodeUrl}${signedDemoPath('/files/report.pdf', nowMs)}'`, shows: 'signed for the next hour: served (then a hit)', status: 200 },
      { command: `curl -si '${nodeUrl}/files/report.pdf'`, shows: '403 forbidden: missing signature', status: 403, shown: 'forbidden: missing signature' },
    ]],
    ['upload-auth (PUT/POST /uploads/**)', [
      { command: `${put} ${bearer} ${nodeUrl}/uploads/demo/hello.txt`, shows: 'a valid token: the origin counts the bytes', status: 200, shown: '{"received":11}' },
      { command: `${put} ${nodeUrl}/uploads/demo/hello.txt`, shows: '401 with WWW-Authenticate: no token', status: 401, shown: 'www-authenticate: Bearer realm="uploads"' },
      { command: `${put} ${bearer} ${nodeUrl}/uploads/other/hello.txt`, shows: "403: outside the token's scope", status: 403 },
    ]],
    ['security-headers (everywhere)', [
      { command: `curl -si -H 'origin: ${CORS_ORIGIN}' ${nodeUrl}/news`, shows: 'HSTS, CSP, nosniff, CORS; no Server', status: 200, shown: `access-control-allow-origin: ${CORS_ORIGIN}` },
      { command: `curl -si -X OPTIONS -H 'origin: ${CORS_ORIGIN}' -H 'access-control-request-method: PUT' ${nodeUrl}/uploads/demo/x`, shows: '204: a CORS preflight answered at the edge', status: 204 },
    ]],
    ['image-resize (/img/**)', [
      { command: `curl -s -o /dev/null -D - -H 'accept: image/avif,image/webp' '${nodeUrl}/img/photo.jpg?w=300'`, shows: 'a 320 px AVIF variant, transformed once and cached', status: 200, shown: 'content-type: image/avif' },
      { command: `curl -s -o /dev/null -D - -H 'sec-ch-width: 500' ${nodeUrl}/img/photo.jpg`, shows: 'a client hint: 640 px JPEG', status: 200 },
    ]],
    ['markdown-to-html (/docs/**)', [
      { command: `curl -si ${nodeUrl}/docs/guide.md`, shows: 'the Markdown document as an HTML page, converted once (on the fill)', status: 200, shown: 'content-type: text/html; charset=utf-8' },
      { command: `curl -si ${nodeUrl}/docs/guide.md`, shows: 'again: a hit on the stored page, not converted', status: 200, shown: 'cache-status: edgehook; hit' },
      { command: `curl -s -o /dev/null -D - ${nodeUrl}/docs/huge.md`, shows: 'over body.response (64 KiB): served as it came, whole; the node logs EH_HOOK_BODY_OVER_BOUND', status: 200, shown: 'content-type: text/markdown' },
      { command: `curl -si ${nodeUrl}/docs/nowhere.md`, shows: 'a 404 in Markdown stays Markdown', status: 404, shown: 'content-type: text/markdown' },
    ]],
    ['geo-rules (everywhere; X-Forwarded-For picks the country here)', [
      { command: `${from('203.0.113.7')} ${nodeUrl}/lang`, shows: 'a German client: x-geo-group: eu, cached per group', status: 200, shown: 'x-geo-group: eu' },
      { command: `${from('192.0.2.1')} ${nodeUrl}/lang`, shows: '451 unavailable for legal reasons: rule sanctions', status: 451, shown: 'rule sanctions' },
      { command: `${from('100.64.0.5')} ${nodeUrl}/lang`, shows: '302 to https://fr.example.com/lang', status: 302, shown: 'location: https://fr.example.com/lang' },
    ]],
  ];
}

/** The demo guide's lines for the example hooks. */
export function demoHookGuide(nodeUrl: string, nowMs: number): string[] {
  const lines = ['Example hooks (built from examples/, WebAssembly; each directory has a README):'];
  for (const [example, curls] of demoCurls(nodeUrl, nowMs)) {
    lines.push(`  ${example}`);
    for (const curl of curls) lines.push(`    ${curl.command}\n        # ${curl.shows}`);
  }
  lines.push('  cache-ttl (/static/**): TTL 300 s and purge tags on what the origin answers');
  return lines;
}
