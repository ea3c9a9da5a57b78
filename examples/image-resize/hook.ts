/**
 * image-resize (on-request + on-origin-response + on-response), the TypeScript build of hook.as:
 * same config, same answers (one test table runs against both). Width from `?w=`/`?width=` (times
 * Sec-CH-DPR) or Sec-CH-Width / Width, snapped up to `widths`; format the first of `formats` the
 * Accept names; the node transforms once per variant and caches it under its own key. Originals
 * wider than `max_width` are stored scaled down; nothing is scaled up; non-images pass untouched.
 * Image responses get Vary and Accept-CH per response.
 */
import { get as getConfig } from 'edgehook:hooks/config@0.1.0';
import { log } from 'edgehook:hooks/log@0.1.0';
import * as request from 'edgehook:hooks/request@0.1.0';
import * as response from 'edgehook:hooks/response@0.1.0';
import type { TransformFormat, TransformSpec, Verdict } from 'edgehook:hooks/types@0.1.0';
import { settingsOnce } from '../shared/settings.ts';

interface Settings { readonly widths: number[]; readonly maxWidth: number; readonly formats: TransformFormat[]; readonly quality: number; readonly clientHints: boolean }

// Parsed once per instance: the config is the same for every request (wit/README.md §7).
const CONTINUE: Verdict = { tag: 'continue' };
const FORMATS = ['avif', 'webp', 'jpeg', 'png'] as const;

function loadSettings(): Settings | string {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(getConfig()) as Record<string, unknown>;
  } catch {
    return 'config is not a JSON object';
  }
  const widths = Array.isArray(raw.widths) ? raw.widths as unknown[] : [160, 320, 640, 960, 1280, 1920];
  if (widths.some((w) => typeof w !== 'number' || !(w >= 1 && w <= 4096))) return 'config.widths must be numbers from 1 to 4096';
  if (widths.length === 0) return 'config.widths must not be empty';
  const formats = Array.isArray(raw.formats) ? raw.formats as unknown[] : ['avif', 'webp'];
  if (formats.some((f) => !(FORMATS as readonly unknown[]).includes(f))) return 'config.formats may hold avif, webp, jpeg and png';
  return {
    widths: (widths as number[]).map(Math.trunc).sort((a, b) => a - b), maxWidth: typeof raw.max_width === 'number' ? raw.max_width : 2560,
    formats: formats as TransformFormat[], quality: typeof raw.quality === 'number' ? raw.quality : 0, clientHints: raw.client_hints !== false,
  };
}

const current = settingsOnce('image-resize', loadSettings);

/** A positive integer of at most 5 digits, else 0. */
const pixels = (text: string | null | undefined): number => (text != null && /^\s*[0-9]{1,5}\s*$/.test(text) ? Number(text) : 0);

function param(query: string, name: string): string | null {
  const part = query.split('&').find((p) => p === name || p.startsWith(`${name}=`));
  return part === undefined ? null : part.slice(name.length + 1);
}

function requestedWidth(s: Settings, query: string): number {
  const css = pixels(param(query, 'w')) || pixels(param(query, 'width'));
  if (!s.clientHints) return css;
  if (css > 0) {
    const dpr = Number.parseFloat(request.getHeader('sec-ch-dpr') ?? '1');
    return Math.ceil(css * (Number.isNaN(dpr) ? 1 : Math.min(4, Math.max(1, dpr))));
  }
  return pixels(request.getHeader('sec-ch-width')) || pixels(request.getHeader('width'));
}

/** The smallest allowed width at least `wanted`, or the largest allowed. */
const snap = (s: Settings, wanted: number): number => s.widths.find((w) => w >= wanted) ?? s.widths[s.widths.length - 1]!;

function negotiated(s: Settings): TransformFormat | undefined {
  const accept = (request.getHeader('accept') ?? '').toLowerCase();
  return s.formats.find((f) => accept.includes(`image/${f}`));
}

export const onRequest = {
  handle(): Verdict {
    const s = current();
    const method = request.method();
    if (method !== 'GET' && method !== 'HEAD') return CONTINUE;
    const query = request.query();
    const wanted = requestedWidth(s, query);
    const format = negotiated(s);
    if (query !== '') request.setQuery(query.split('&').filter((p) => p !== '' && param(p, 'w') === null && param(p, 'width') === null).join('&'));
    if (wanted === 0 && format === undefined) return CONTINUE;
    const spec: TransformSpec = { withoutEnlargement: true };
    if (wanted > 0) spec.width = snap(s, wanted);
    if (format !== undefined) spec.format = format;
    if (s.quality > 0) spec.quality = s.quality;
    try {
      request.setTransform(spec);
    } catch {
      // invalid-value: a width above the node's image.transform.max_width; the original is served.
      log('warn', 'image-resize: transform refused', [['width', String(spec.width ?? 0)]]);
    }
    return CONTINUE;
  },
};

export const onOriginResponse = {
  handle(): Verdict {
    const s = current();
    const image = response.image();
    if (image == null || image.width <= s.maxWidth) return CONTINUE;
    response.setTransform({ width: s.maxWidth, withoutEnlargement: true });
    return CONTINUE;
  },
};

export const onResponse = {
  handle(): Verdict {
    const s = current();
    if (!(response.getHeader('content-type') ?? '').toLowerCase().startsWith('image/')) return CONTINUE;
    let merged = response.getHeader('vary') ?? '';
    const present = merged.toLowerCase().split(',').map((v) => v.trim());
    for (const name of s.clientHints ? ['accept', 'sec-ch-width', 'sec-ch-dpr', 'width'] : ['accept']) {
      if (!present.includes(name)) merged += `${merged === '' ? '' : ', '}${name}`;
    }
    response.setHeader('vary', merged);
    if (s.clientHints) response.setHeader('accept-ch', 'sec-ch-width, sec-ch-dpr, width');
    return CONTINUE;
  },
};
