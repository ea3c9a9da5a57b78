// image-resize (on-request + on-origin-response + on-response): responsive images at the edge.
//
// on-request (GET/HEAD): the width comes from `?w=` / `?width=` (CSS pixels, times Sec-CH-DPR) or
// the client hints Sec-CH-Width / Width (physical pixels), snapped up to the nearest of `widths`
// (the largest when none is big enough); the format is the first of `formats` the client's Accept
// names (else the source's own). Both go into a transform the node applies once per variant and
// caches under its own key; `w` and `width` leave the query, so every spelling that snaps to one
// variant shares its entry, and the original is fetched (and cached) once for all of them.
// on-origin-response: an image wider than `max_width` is stored scaled down to it; nothing is
// ever scaled up; non-images are left alone (response.image() is null for them).
// on-response: image responses tell caches what they vary on (Vary) and browsers which hints to
// send (Accept-CH). Set per response, not stored: the node's own cache keys variants by transform.
import {
  EditError, Json, LogLevel, TransformFormat, TransformSpec, Verdict, config, log, proceed, queryParam, request,
  response, withoutQueryParams,
} from "./edgehook";

class Settings {
  widths: i32[] = [160, 320, 640, 960, 1280, 1920];
  maxWidth: i32 = 2560;
  formats: string[] = ["avif", "webp"];
  quality: i32 = 0;
  clientHints: bool = true;
  error: string = "";
}

// Parsed once per instance: the config is the same for every request (wit/README.md §7).
let settings: Settings | null = null;

function loadSettings(): Settings {
  const s = new Settings();
  const json = Json.parse(config());
  if (json === null) {
    s.error = "config is not a JSON object";
    return s;
  }
  const widths = json.get("widths");
  if (widths !== null) {
    s.widths = [];
    for (let i = 0; i < widths.items.length; i++) {
      const w = widths.items[i].num;
      if (!(w >= 1 && w <= 4096)) s.error = "config.widths must be numbers from 1 to 4096";
      else s.widths.push(<i32>w);
    }
    if (s.widths.length == 0) s.error = "config.widths must not be empty";
    s.widths.sort((a: i32, b: i32): i32 => a - b);
  }
  const maxWidth = json.getNumber("max_width");
  if (!isNaN(maxWidth)) s.maxWidth = <i32>maxWidth;
  if (json.get("formats") !== null) s.formats = json.getStrings("formats");
  for (let i = 0; i < s.formats.length; i++) {
    const f = s.formats[i];
    if (f != "avif" && f != "webp" && f != "jpeg" && f != "png") s.error = "config.formats may hold avif, webp, jpeg and png";
  }
  const quality = json.getNumber("quality");
  if (!isNaN(quality)) s.quality = <i32>quality;
  s.clientHints = json.getBool("client_hints", true);
  return s;
}

function current(): Settings {
  if (settings === null) settings = loadSettings();
  const s = settings!;
  if (s.error.length > 0) {
    // Fail closed and loud: the trap makes the host answer 503 naming this hook, with a log line.
    log(LogLevel.Error, "image-resize: " + s.error);
    unreachable();
  }
  return s;
}

/** A positive integer of at most 5 digits, else 0. */
function pixels(text: string | null): i32 {
  if (text === null) return 0;
  const t = text.trim();
  if (t.length == 0 || t.length > 5) return 0;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c < 48 || c > 57) return 0;
  }
  return I32.parseInt(t);
}

function requestedWidth(s: Settings, query: string): i32 {
  let css = pixels(queryParam(query, "w"));
  if (css == 0) css = pixels(queryParam(query, "width"));
  if (!s.clientHints) return css;
  if (css > 0) {
    const dprText = request.getHeader("sec-ch-dpr");
    let dpr = dprText === null ? 1.0 : parseFloat(dprText);
    if (isNaN(dpr) || dpr < 1) dpr = 1;
    if (dpr > 4) dpr = 4;
    return <i32>Math.ceil(css * dpr);
  }
  const hinted = pixels(request.getHeader("sec-ch-width"));
  return hinted > 0 ? hinted : pixels(request.getHeader("width"));
}

/** The smallest allowed width at least `wanted`, or the largest allowed. */
function snap(s: Settings, wanted: i32): i32 {
  for (let i = 0; i < s.widths.length; i++) if (s.widths[i] >= wanted) return s.widths[i];
  return s.widths[s.widths.length - 1];
}

function formatOf(name: string): TransformFormat {
  if (name == "avif") return TransformFormat.Avif;
  if (name == "webp") return TransformFormat.Webp;
  if (name == "png") return TransformFormat.Png;
  return TransformFormat.Jpeg;
}

function negotiated(s: Settings): TransformFormat {
  const accept = request.getHeader("accept");
  if (accept === null) return TransformFormat.Source;
  const lower = accept.toLowerCase();
  for (let i = 0; i < s.formats.length; i++) if (lower.includes("image/" + s.formats[i])) return formatOf(s.formats[i]);
  return TransformFormat.Source;
}

export function onRequest(): Verdict {
  const s = current();
  const method = request.method();
  if (method != "GET" && method != "HEAD") return proceed();
  const query = request.query();
  const wanted = requestedWidth(s, query);
  const spec = new TransformSpec();
  spec.withoutEnlargement = true;
  if (wanted > 0) spec.width = snap(s, wanted);
  spec.format = negotiated(s);
  if (s.quality > 0) spec.quality = <u8>s.quality;
  if (query.length > 0) request.setQuery(withoutQueryParams(query, ["w", "width"]));
  if (spec.width == 0 && spec.format == TransformFormat.Source) return proceed();
  // invalid-value: a width above the node's image.transform.max_width; the original is served.
  if (request.setTransform(spec) != EditError.Ok) log(LogLevel.Warn, "image-resize: transform refused", ["width", spec.width.toString()]);
  return proceed();
}

export function onOriginResponse(): Verdict {
  const s = current();
  const image = response.image();
  if (image === null || <i32>image.width <= s.maxWidth) return proceed();
  const cap = new TransformSpec();
  cap.width = s.maxWidth;
  cap.withoutEnlargement = true;
  response.setTransform(cap);
  return proceed();
}

export function onResponse(): Verdict {
  const s = current();
  const type = response.getHeader("content-type");
  if (type === null || !type.toLowerCase().startsWith("image/")) return proceed();
  const vary = response.getHeader("vary");
  let merged = vary === null ? "" : vary;
  const names = s.clientHints ? ["accept", "sec-ch-width", "sec-ch-dpr", "width"] : ["accept"];
  const present = "," + merged.toLowerCase().replaceAll(" ", "") + ",";
  for (let i = 0; i < names.length; i++) {
    if (!present.includes("," + names[i] + ",")) merged += (merged.length > 0 ? ", " : "") + names[i];
  }
  response.setHeader("vary", merged);
  if (s.clientHints) response.setHeader("accept-ch", "sec-ch-width, sec-ch-dpr, width");
  return proceed();
}
