// markdown-to-html (on-origin-response, body opt-in): Markdown from the origin is stored, and
// served, as an HTML page. A 200 whose Content-Type is text/markdown or text/x-markdown (UTF-8)
// becomes the config's `template` with {{title}} (the first heading's text, else the file name),
// {{content}} (the converted document) and {{stylesheet}} filled in: Content-Type text/html, the
// ETag made weak (the page is equivalent to what the origin tagged, not the same bytes),
// Content-Length from the page, every caching header kept. The phase runs once per cache fill, so
// hits never convert. Anything else — other types, other statuses, content-encoded bodies, bytes
// that are not UTF-8 — passes untouched. A body over the hook's body.response bound never reaches
// it (body.overflow: pass): the node stores it unconverted, whole, with a log line.
//
// The converter below is a CommonMark subset (README "What is converted"): ATX and setext
// headings, paragraphs, emphasis and strong, code spans, fenced and indented code, links, images,
// lists (nested, tight and loose), block quotes (with lazy lines), thematic breaks, hard breaks,
// backslash escapes and character references. Raw HTML is not HTML here: it is escaped like any
// text, and links or images with a scheme other than http, https or mailto keep only their text,
// so a page is safe by default whatever the Markdown holds.
import { Json, JsonKind, LogLevel, Verdict, config, log, proceed, request, response } from "./edgehook";

// ---- settings ------------------------------------------------------------------------------------

const DEFAULT_TEMPLATE = "<!doctype html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n"
  + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
  + "<title>{{title}}</title>\n{{stylesheet}}\n</head>\n<body>\n<main>\n{{content}}</main>\n</body>\n</html>\n";

class Settings {
  template: string = DEFAULT_TEMPLATE;
  stylesheet: string = "";
  error: string = "";
}

// Parsed once per instance: the config is the same for every request (wit/README.md §7).
let settings: Settings | null = null;

function loadSettings(): Settings {
  const s = new Settings();
  const text = config();
  const json = Json.parse(text.length == 0 ? "{}" : text);
  if (json === null || json.kind != JsonKind.Object) {
    s.error = "config is not a JSON object";
    return s;
  }
  const template = json.get("template");
  if (template !== null) {
    if (template.kind != JsonKind.String) s.error = "config.template must be a string";
    else s.template = template.str;
  }
  const stylesheet = json.get("stylesheet");
  if (stylesheet !== null) {
    if (stylesheet.kind != JsonKind.String) s.error = "config.stylesheet must be a string";
    else s.stylesheet = stylesheet.str;
  }
  if (s.error.length == 0 && !s.template.includes("{{content}}")) s.error = "config.template must contain {{content}}";
  return s;
}

function current(): Settings {
  if (settings === null) settings = loadSettings();
  const s = settings!;
  if (s.error.length > 0) {
    // A broken config traps: the host logs it and on_error decides (the example's is open).
    log(LogLevel.Error, "markdown-to-html: " + s.error);
    unreachable();
  }
  return s;
}

// ---- the hook ------------------------------------------------------------------------------------

export function onOriginResponse(): Verdict {
  const s = current();
  const status = response.status();
  const type = response.getHeader("content-type");
  if (type === null || !isMarkdown(type)) return proceed();
  // A revalidation's 304 refreshes the stored page's fields: keep them the page's.
  if (status == 304) {
    markAsPage();
    return proceed();
  }
  if (status != 200) return proceed();
  const encoding = response.getHeader("content-encoding");
  if (encoding !== null && encoding.trim().toLowerCase() != "identity") {
    log(LogLevel.Warn, "markdown-to-html: not converted: content-encoding " + encoding);
    return proceed();
  }
  const body = response.body();
  if (body === null) {
    log(LogLevel.Warn, "markdown-to-html: not converted: no body (set body.response on the hook)");
    return proceed();
  }
  // No bytes where the origin declared some: the answer to a HEAD, nothing to convert.
  const declared = response.getHeader("content-length");
  if (body.byteLength == 0 && declared !== null && declared.trim() != "0") return proceed();
  if (!isUtf8(body)) {
    log(LogLevel.Warn, "markdown-to-html: not converted: the body is not UTF-8");
    return proceed();
  }
  const content = markdownToHtml(String.UTF8.decode(body));
  const page = fillTemplate(s, titleOf(content, request.path()), content);
  // too-large: the page outgrew body.response (the bound covers what the hook writes too).
  if (response.setBody(String.UTF8.encode(page)) != -1) {
    log(LogLevel.Warn, "markdown-to-html: not converted: the page is larger than body.response");
    return proceed();
  }
  markAsPage();
  return proceed();
}

/** text/markdown or text/x-markdown, in UTF-8 (or ASCII, or no charset said). */
function isMarkdown(type: string): bool {
  const parts = type.split(";");
  const media = parts[0].trim().toLowerCase();
  if (media != "text/markdown" && media != "text/x-markdown") return false;
  for (let i = 1; i < parts.length; i++) {
    const param = parts[i].trim().toLowerCase();
    if (!param.startsWith("charset=")) continue;
    let charset = param.substring(8).trim();
    if (charset.startsWith("\"") && charset.endsWith("\"") && charset.length >= 2) charset = charset.substring(1, charset.length - 1);
    return charset == "utf-8" || charset == "utf8" || charset == "us-ascii";
  }
  return true;
}

/** The page's own fields: its type, and a weak validator (equivalent to the origin's, not the same bytes). */
function markAsPage(): void {
  response.setHeader("content-type", "text/html; charset=utf-8");
  const etag = response.getHeader("etag");
  if (etag !== null && !etag.startsWith("W/")) response.setHeader("etag", "W/" + etag);
  // Digests of the Markdown would be wrong for the page.
  response.removeHeader("content-md5");
  response.removeHeader("digest");
  response.removeHeader("repr-digest");
  response.removeHeader("content-digest");
}

function isUtf8(body: ArrayBuffer): bool {
  const bytes = Uint8Array.wrap(body);
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = <i32>bytes[i];
    if (b < 0x80) { i++; continue; }
    let need = 0;
    let min = 0;
    if (b >= 0xc2 && b <= 0xdf) { need = 1; min = 0x80; }
    else if (b >= 0xe0 && b <= 0xef) { need = 2; min = 0x800; }
    else if (b >= 0xf0 && b <= 0xf4) { need = 3; min = 0x10000; }
    else return false;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      if (i + k >= n) return false;
      const c = <i32>bytes[i + k];
      if ((c & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += need + 1;
  }
  return true;
}

/** The first heading's text (tags dropped: it is already escaped), else the file name. */
function titleOf(html: string, path: string): string {
  const at = firstHeading(html);
  if (at.length > 0) return at;
  const slash = path.lastIndexOf("/");
  return escapeHtml(path.substring(slash + 1));
}

function firstHeading(html: string): string {
  let from = 0;
  while (true) {
    const at = html.indexOf("<h", from);
    if (at < 0 || at + 4 > html.length) return "";
    const d = html.charCodeAt(at + 2);
    if (d >= 49 && d <= 54 && html.charCodeAt(at + 3) == 62) {
      const end = html.indexOf("</h" + String.fromCharCode(d) + ">", at);
      if (end < 0) return "";
      return stripTags(html.substring(at + 4, end)).trim();
    }
    from = at + 2;
  }
}

function stripTags(html: string): string {
  const out = new Array<string>();
  let from = 0;
  while (from < html.length) {
    const lt = html.indexOf("<", from);
    if (lt < 0) { out.push(html.substring(from)); break; }
    out.push(html.substring(from, lt));
    const gt = html.indexOf(">", lt);
    if (gt < 0) break;
    from = gt + 1;
  }
  return out.join("");
}

/** One pass over the template: a value is never itself searched for placeholders. */
function fillTemplate(s: Settings, title: string, content: string): string {
  const t = s.template;
  const out = new Array<string>();
  let from = 0;
  while (true) {
    const at = t.indexOf("{{", from);
    if (at < 0) break;
    out.push(t.substring(from, at));
    if (t.startsWith("{{title}}", at)) { out.push(title); from = at + 9; }
    else if (t.startsWith("{{content}}", at)) { out.push(content); from = at + 11; }
    else if (t.startsWith("{{stylesheet}}", at)) {
      if (s.stylesheet.length > 0) out.push("<link rel=\"stylesheet\" href=\"" + escapeHtml(s.stylesheet) + "\">");
      from = at + 14;
    } else { out.push("{{"); from = at + 2; }
  }
  out.push(t.substring(from));
  return out.join("");
}

// ---- Markdown: blocks (the CommonMark container algorithm, one line at a time) -------------------

const DOCUMENT = 0, QUOTE = 1, LIST = 2, ITEM = 3, PARAGRAPH = 4, HEADING = 5, CODE = 6, RULE = 7;

class Block {
  kind: i32;
  parent: Block | null;
  children: Block[] = [];
  open: bool = true;
  lines: string[] = [];
  /** Line numbers of its first and last line with content (trailing blank lines not counted). */
  startLine: i32;
  endLine: i32;
  /** Heading level; for a list item, the columns from its container's content to its own. */
  level: i32 = 0;
  /** Fenced code: the fence character, length and indentation; fence 0 = indented code. */
  fence: i32 = 0;
  fenceLength: i32 = 0;
  fenceIndent: i32 = 0;
  info: string = "";
  /** Lists: ordered, bullet character or delimiter, start number, tight. */
  ordered: bool = false;
  marker: i32 = 0;
  start: i32 = 1;
  tight: bool = true;
  constructor(kind: i32, parent: Block | null, line: i32) { this.kind = kind; this.parent = parent; this.startLine = line; this.endLine = line; }
  last(): Block | null { return this.children.length == 0 ? null : this.children[this.children.length - 1]; }
}

class ListMarker {
  ordered: bool = false;
  marker: i32 = 0;
  start: i32 = 1;
  /** Columns from where the marker's container content starts to the item's content. */
  width: i32 = 0;
  empty: bool = false;
}

class BlockParser {
  doc: Block;
  tip: Block;
  lineNumber: i32 = 0;
  line: string = "";
  offset: i32 = 0;
  nextNonspace: i32 = 0;
  indent: i32 = 0;
  blank: bool = false;

  constructor() {
    const doc = new Block(DOCUMENT, null, 0);
    this.doc = doc;
    this.tip = doc;
  }

  findNextNonspace(): void {
    let i = this.offset;
    const s = this.line;
    while (i < s.length && s.charCodeAt(i) == 32) i++;
    this.nextNonspace = i;
    this.indent = i - this.offset;
    this.blank = i >= s.length;
  }

  add(kind: i32, parent: Block): Block {
    while (!canContain(parent.kind, kind)) parent = this.finalize(parent);
    const block = new Block(kind, parent, this.lineNumber);
    parent.children.push(block);
    this.tip = block;
    return block;
  }

  /** Closes a block; returns its parent. */
  finalize(block: Block): Block {
    block.open = false;
    if (block.kind == CODE && block.fence == 0) {
      while (block.lines.length > 0 && isBlankText(block.lines[block.lines.length - 1])) block.lines.pop();
    }
    const last = block.last();
    if (last !== null && last.endLine > block.endLine) block.endLine = last.endLine;
    if (block.kind == LIST) block.tight = isTight(block);
    this.tip = block.parent!;
    return block.parent!;
  }

  /** Closes the blocks this line did not continue (once: before the first block it starts). */
  closeUnmatched(lastMatched: Block): void {
    while (this.tip !== lastMatched) this.finalize(this.tip);
  }

  incorporate(rawLine: string): void {
    this.lineNumber++;
    this.line = expandTabs(rawLine);
    this.offset = 0;
    let container = this.doc;
    // 1. Which open blocks this line continues.
    let matchedAll = true;
    while (true) {
      const child = container.last();
      if (child === null || !child.open) break;
      this.findNextNonspace();
      const result = this.continues(child);
      if (result == 2) return; // the line closed a fence
      if (result == 0) { matchedAll = false; break; }
      container = child;
    }
    const lastMatched = container;
    const tipIsParagraph = this.tip.kind == PARAGRAPH;
    // 2. New blocks the rest of the line starts.
    let started = false;
    while (container.kind != CODE && container.kind != HEADING) {
      this.findNextNonspace();
      if (this.blank) break;
      if (this.indent >= 4) {
        // Indented code cannot interrupt a paragraph: such a line continues it.
        if (this.tip.kind == PARAGRAPH && !started) break;
        this.offset += 4;
        if (!started) this.closeUnmatched(lastMatched);
        container = this.add(CODE, container);
        started = true;
        break;
      }
      const s = this.line;
      const at = this.nextNonspace;
      const c = s.charCodeAt(at);
      if (c == 62) { // >
        this.offset = at + 1;
        if (this.offset < s.length && s.charCodeAt(this.offset) == 32) this.offset++;
        if (!started) this.closeUnmatched(lastMatched);
        container = this.add(QUOTE, container);
        started = true;
        continue;
      }
      const level = atxLevel(s, at);
      if (level > 0) {
        if (!started) this.closeUnmatched(lastMatched);
        const heading = this.add(HEADING, container);
        heading.level = level;
        heading.lines.push(atxContent(s, at + level));
        this.finalize(heading);
        return;
      }
      const fence = fenceLength(s, at);
      if (fence > 0) {
        if (!started) this.closeUnmatched(lastMatched);
        const code = this.add(CODE, container);
        code.fence = c;
        code.fenceLength = fence;
        code.fenceIndent = this.indent;
        code.info = unescapePunctuation(s.substring(at + fence).trim());
        return;
      }
      if (container.kind == PARAGRAPH && !started) {
        const setext = setextLevel(s, at);
        if (setext > 0) {
          container.endLine = this.lineNumber;
          container.kind = HEADING;
          container.level = setext;
          this.finalize(container);
          return;
        }
      }
      if (isRule(s, at)) {
        if (!started) this.closeUnmatched(lastMatched);
        this.finalize(this.add(RULE, container));
        return;
      }
      const marker = listMarker(s, at, container.kind == PARAGRAPH);
      if (marker !== null) {
        if (!started) this.closeUnmatched(lastMatched);
        if (container.kind != LIST || container.ordered != marker.ordered || container.marker != marker.marker) {
          const list = this.add(LIST, container);
          list.ordered = marker.ordered;
          list.marker = marker.marker;
          list.start = marker.start;
          container = list;
        }
        const item = this.add(ITEM, container);
        item.level = at - this.offset + marker.width;
        this.offset = marker.empty ? s.length : at + marker.width;
        container = item;
        started = true;
        continue;
      }
      // An HTML block's first line (raw HTML is escaped text here, but like marked it still ends
      // a paragraph, and is never a lazy line).
      if (isHtmlBlockStart(s, at)) {
        if (!started) this.closeUnmatched(lastMatched);
        if (container.kind == PARAGRAPH) container = this.finalize(container);
        started = true;
      }
      break;
    }
    // 3. The rest of the line.
    this.findNextNonspace();
    if (!started && !matchedAll && !this.blank && tipIsParagraph && this.tip.kind == PARAGRAPH) {
      this.tip.lines.push(this.line.substring(this.offset)); // a lazy continuation line
      this.tip.endLine = this.lineNumber;
      return;
    }
    if (!started) this.closeUnmatched(lastMatched);
    if (container.kind == CODE) {
      container.lines.push(this.line.substring(this.offset));
      if (!this.blank || container.fence != 0) container.endLine = this.lineNumber;
    } else if (container.kind == PARAGRAPH) {
      // As marked: in a list item, a line indented as code joins the paragraph without 4 spaces.
      let from = this.offset;
      if (container.parent!.kind == ITEM && this.indent >= 4) from += 4;
      container.lines.push(this.line.substring(from));
      container.endLine = this.lineNumber;
    } else if (!this.blank) {
      // Leading spaces stay (up to 3), as marked keeps them; the page shows none.
      const para = this.add(PARAGRAPH, container);
      para.lines.push(this.line.substring(this.offset));
    }
  }

  /** 1: the line continues `block` (offset moved past its prefix); 0: it does not; 2: it closed a fence. */
  continues(block: Block): i32 {
    const s = this.line;
    switch (block.kind) {
      case QUOTE: {
        if (this.blank || this.indent > 3 || s.charCodeAt(this.nextNonspace) != 62) return 0;
        this.offset = this.nextNonspace + 1;
        if (this.offset < s.length && s.charCodeAt(this.offset) == 32) this.offset++;
        return 1;
      }
      case ITEM: {
        if (this.blank) {
          // An item that began with a blank line ends at a second one.
          if (block.children.length == 0) return 0;
          this.offset = this.nextNonspace;
          return 1;
        }
        if (this.indent < block.level) return 0;
        this.offset += block.level;
        return 1;
      }
      case LIST: return 1;
      case CODE: {
        if (block.fence != 0) {
          if (!this.blank && this.indent <= 3 && closesFence(s, this.nextNonspace, block.fence, block.fenceLength)) {
            block.endLine = this.lineNumber;
            this.finalize(block);
            return 2;
          }
          let i = 0;
          while (i < block.fenceIndent && this.offset < s.length && s.charCodeAt(this.offset) == 32) { this.offset++; i++; }
          return 1;
        }
        if (this.indent >= 4) { this.offset += 4; return 1; }
        if (this.blank) { this.offset = this.nextNonspace; return 1; }
        return 0;
      }
      case PARAGRAPH: return this.blank ? 0 : 1;
      default: return 0;
    }
  }
}

function canContain(parent: i32, child: i32): bool {
  if (parent == DOCUMENT || parent == QUOTE || parent == ITEM) return child != ITEM;
  if (parent == LIST) return child == ITEM;
  return false;
}

/** A list is loose when an item, or a block in an item, is followed by a blank line before its next. */
function isTight(list: Block): bool {
  for (let i = 0; i < list.children.length; i++) {
    const item = list.children[i];
    if (i + 1 < list.children.length && list.children[i + 1].startLine > item.endLine + 1) return false;
    for (let j = 0; j + 1 < item.children.length; j++) {
      if (item.children[j + 1].startLine > item.children[j].endLine + 1) return false;
    }
  }
  return true;
}

/** Leading tabs to spaces (tab stops of 4), as CommonMark counts indentation. */
function expandTabs(line: string): string {
  if (!line.includes("\t")) return line;
  const out = new Array<string>();
  let column = 0;
  let i = 0;
  for (; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c == 9) { const n = 4 - (column % 4); out.push(" ".repeat(n)); column += n; }
    else if (c == 32) { out.push(" "); column++; }
    else break;
  }
  out.push(line.substring(i));
  return out.join("");
}

function isBlankText(s: string): bool {
  for (let i = 0; i < s.length; i++) { const c = s.charCodeAt(i); if (c != 32 && c != 9) return false; }
  return true;
}

function atxLevel(s: string, at: i32): i32 {
  let n = 0;
  while (at + n < s.length && s.charCodeAt(at + n) == 35) n++;
  if (n < 1 || n > 6) return 0;
  if (at + n < s.length) { const c = s.charCodeAt(at + n); if (c != 32 && c != 9) return 0; }
  return n;
}

/** The heading's text: trimmed, without a closing run of # that follows a space (or is all there is). */
function atxContent(s: string, from: i32): string {
  let text = s.substring(from).trim();
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) == 35) end--;
  if (end < text.length && (end == 0 || text.charCodeAt(end - 1) == 32 || text.charCodeAt(end - 1) == 9)) text = text.substring(0, end).trim();
  return text;
}

function fenceLength(s: string, at: i32): i32 {
  const c = s.charCodeAt(at);
  if (c != 96 && c != 126) return 0;
  let n = 0;
  while (at + n < s.length && s.charCodeAt(at + n) == c) n++;
  if (n < 3) return 0;
  if (c == 96 && s.indexOf("`", at + n) >= 0) return 0; // a backtick fence's info has no backtick
  return n;
}

function closesFence(s: string, at: i32, fence: i32, length: i32): bool {
  let n = 0;
  while (at + n < s.length && s.charCodeAt(at + n) == fence) n++;
  return n >= length && isBlankText(s.substring(at + n));
}

function setextLevel(s: string, at: i32): i32 {
  const c = s.charCodeAt(at);
  if (c != 61 && c != 45) return 0;
  let i = at;
  while (i < s.length && s.charCodeAt(i) == c) i++;
  return isBlankText(s.substring(i)) ? (c == 61 ? 1 : 2) : 0;
}

/** Three or more of one of * - _, with only spaces or tabs between. */
function isRule(s: string, at: i32): bool {
  const c = s.charCodeAt(at);
  if (c != 42 && c != 45 && c != 95) return false;
  let n = 0;
  for (let i = at; i < s.length; i++) {
    const d = s.charCodeAt(i);
    if (d == c) n++;
    else if (d != 32 && d != 9) return false;
  }
  return n >= 3;
}

/** A list item's marker at `at`; width = columns from `at` to the item's content. null when none. */
function listMarker(s: string, at: i32, interruptsParagraph: bool): ListMarker | null {
  const m = new ListMarker();
  const c = s.charCodeAt(at);
  let end = at;
  if (c == 42 || c == 43 || c == 45) {
    m.marker = c;
    end = at + 1;
  } else {
    while (end < s.length && end - at < 9 && isDigit(s.charCodeAt(end))) end++;
    if (end == at || end >= s.length) return null;
    const d = s.charCodeAt(end);
    if (d != 46 && d != 41) return null;
    m.ordered = true;
    m.marker = d;
    m.start = I32.parseInt(s.substring(at, end));
    end++;
  }
  if (end < s.length && s.charCodeAt(end) != 32 && s.charCodeAt(end) != 9) return null;
  m.empty = isBlankText(s.substring(end));
  // A paragraph is interrupted only by an item with content, and an ordered one only from 1.
  if (interruptsParagraph && (m.empty || (m.ordered && m.start != 1))) return null;
  let spaces = 0;
  while (end + spaces < s.length && (s.charCodeAt(end + spaces) == 32 || s.charCodeAt(end + spaces) == 9)) spaces++;
  // Five or more spaces: the content is indented code one space after the marker.
  m.width = (m.empty || spaces >= 5 ? end + 1 : end + spaces) - at;
  return m;
}

/** The first line of a CommonMark HTML block of kinds 1-6 (kind 7 cannot interrupt a paragraph). */
function isHtmlBlockStart(s: string, at: i32): bool {
  if (s.charCodeAt(at) != 60) return false;
  const rest = s.substring(at + 1).toLowerCase();
  if (rest.startsWith("!--") || rest.startsWith("?") || rest.startsWith("![cdata[")) return true;
  if (rest.length >= 2 && rest.charCodeAt(0) == 33 && rest.charCodeAt(1) >= 97 && rest.charCodeAt(1) <= 122) return true;
  const closing = rest.startsWith("/");
  let i = closing ? 1 : 0;
  const nameStart = i;
  while (i < rest.length && ((rest.charCodeAt(i) >= 97 && rest.charCodeAt(i) <= 122) || isDigit(rest.charCodeAt(i)))) i++;
  const name = rest.substring(nameStart, i);
  const next = i < rest.length ? rest.charCodeAt(i) : 32;
  if (!closing && (name == "script" || name == "pre" || name == "style" || name == "textarea")) return next == 32 || next == 9 || next == 62;
  if (!HTML_BLOCK_TAGS.includes("|" + name + "|")) return false;
  return next == 32 || next == 9 || next == 62 || (next == 47 && i + 1 < rest.length && rest.charCodeAt(i + 1) == 62);
}

const HTML_BLOCK_TAGS = "|address|article|aside|base|basefont|blockquote|body|caption|center|col|colgroup|dd|details|dialog|dir|div|dl|dt|fieldset|figcaption|figure|footer|form|frame|frameset|h1|h2|h3|h4|h5|h6|head|header|hr|html|iframe|legend|li|link|main|menu|menuitem|meta|nav|noframes|ol|optgroup|option|p|param|search|section|summary|table|tbody|td|tfoot|th|thead|title|tr|track|ul|";

function unescapePunctuation(s: string): string {
  if (!s.includes("\\")) return s;
  const out = new Array<string>();
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c == 92 && i + 1 < s.length && isAsciiPunctuation(s.charCodeAt(i + 1))) { out.push(String.fromCharCode(s.charCodeAt(i + 1))); i++; }
    else out.push(String.fromCharCode(c));
  }
  return out.join("");
}

// ---- Markdown: rendering -------------------------------------------------------------------------

function markdownToHtml(markdown: string): string {
  const parser = new BlockParser();
  const text = markdown.replaceAll("\r\n", "\n").replaceAll("\r", "\n");
  let from = 0;
  while (from < text.length) {
    let end = text.indexOf("\n", from);
    if (end < 0) end = text.length;
    parser.incorporate(text.substring(from, end));
    from = end + 1;
  }
  while (parser.tip !== parser.doc) parser.finalize(parser.tip);
  const out = new Array<string>();
  renderChildren(parser.doc, out, false);
  return out.join("");
}

function renderChildren(block: Block, out: string[], tight: bool): void {
  for (let i = 0; i < block.children.length; i++) renderBlock(block.children[i], out, tight);
}

function renderBlock(b: Block, out: string[], tight: bool): void {
  switch (b.kind) {
    case PARAGRAPH: {
      const inline = renderInline(b.lines.join("\n").trimEnd());
      if (tight) out.push(inline);
      else { out.push("<p>"); out.push(inline); out.push("</p>\n"); }
      break;
    }
    case HEADING: {
      const tag = "h" + b.level.toString();
      out.push("<" + tag + ">");
      out.push(renderInline(b.lines.join("\n").trim()));
      out.push("</" + tag + ">\n");
      break;
    }
    case CODE: {
      out.push("<pre><code");
      if (b.info.length > 0) {
        let word = b.info;
        for (let i = 0; i < word.length; i++) {
          const c = word.charCodeAt(i);
          if (c == 32 || c == 9) { word = word.substring(0, i); break; }
        }
        out.push(" class=\"language-" + escapeHtml(word) + "\"");
      }
      out.push(">");
      if (b.lines.length > 0) out.push(escapeHtml(b.lines.join("\n") + "\n"));
      out.push("</code></pre>\n");
      break;
    }
    case RULE: out.push("<hr>\n"); break;
    case QUOTE: {
      out.push("<blockquote>\n");
      renderChildren(b, out, false);
      out.push("</blockquote>\n");
      break;
    }
    case LIST: {
      const tag = b.ordered ? "ol" : "ul";
      out.push(b.ordered && b.start != 1 ? "<ol start=\"" + b.start.toString() + "\">\n" : "<" + tag + ">\n");
      for (let i = 0; i < b.children.length; i++) {
        out.push("<li>");
        const item = b.children[i];
        // Loose items put a newline between their blocks; tight ones keep text bare.
        renderChildren(item, out, b.tight);
        out.push("</li>\n");
      }
      out.push("</" + tag + ">\n");
      break;
    }
    default: break;
  }
}

// ---- Markdown: inlines (code spans, escapes, references, links, images, emphasis) ----------------

const TEXT = 0, HTML = 1;

class Piece {
  kind: i32;
  text: string;
  /** For HTML pieces: what plain text (an image's alt) makes of it. */
  plain: string = "";
  /** Emphasis tags closed before and opened after a delimiter run's remaining characters. */
  before: string = "";
  after: string = "";
  constructor(kind: i32, text: string) { this.kind = kind; this.text = text; }
}

class Delimiter {
  piece: Piece;
  char: i32;
  count: i32;
  length: i32;
  canOpen: bool;
  canClose: bool;
  active: bool = true;
  constructor(piece: Piece, char: i32, count: i32, canOpen: bool, canClose: bool) {
    this.piece = piece; this.char = char; this.count = count; this.length = count; this.canOpen = canOpen; this.canClose = canClose;
  }
}

class Bracket {
  piece: i32;
  delimiters: i32;
  image: bool;
  active: bool = true;
  constructor(piece: i32, delimiters: i32, image: bool) { this.piece = piece; this.delimiters = delimiters; this.image = image; }
}

class LinkTarget {
  destination: string = "";
  title: string = "";
  hasTitle: bool = false;
  end: i32 = 0;
}

class InlineParser {
  s: string;
  pos: i32 = 0;
  pieces: Piece[] = [];
  delimiters: Delimiter[] = [];
  brackets: Bracket[] = [];
  constructor(s: string) { this.s = s; }

  text(t: string): void { this.pieces.push(new Piece(TEXT, t)); }
  html(t: string, plain: string = ""): Piece { const p = new Piece(HTML, t); p.plain = plain; this.pieces.push(p); return p; }

  parse(): string {
    const s = this.s;
    let textStart = 0;
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos);
      if (c != 92 && c != 96 && c != 42 && c != 95 && c != 91 && c != 93 && c != 33 && c != 38 && c != 10) { this.pos++; continue; }
      if (textStart < this.pos) this.text(s.substring(textStart, this.pos));
      this.special(c);
      textStart = this.pos;
    }
    if (textStart < s.length) this.text(s.substring(textStart));
    this.processEmphasis(0);
    const out = new Array<string>();
    renderPieces(this.pieces, 0, this.pieces.length, out, false);
    return out.join("");
  }

  special(c: i32): void {
    const s = this.s;
    if (c == 10) { this.newline(); return; }
    if (c == 92) {
      const next = this.pos + 1 < s.length ? s.charCodeAt(this.pos + 1) : 0;
      if (next == 10) { this.hardBreak(1); return; }
      if (isAsciiPunctuation(next)) { this.text(String.fromCharCode(next)); this.pos += 2; return; }
      this.text("\\"); this.pos++;
      return;
    }
    if (c == 96) { this.codeSpan(); return; }
    if (c == 42 || c == 95) { this.delimiterRun(c); return; }
    if (c == 91) { this.brackets.push(new Bracket(this.pieces.length, this.delimiters.length, false)); this.text("["); this.pos++; return; }
    if (c == 33) {
      if (this.pos + 1 < s.length && s.charCodeAt(this.pos + 1) == 91) {
        this.brackets.push(new Bracket(this.pieces.length, this.delimiters.length, true));
        this.text("!["); this.pos += 2;
      } else { this.text("!"); this.pos++; }
      return;
    }
    if (c == 93) { this.closeBracket(); return; }
    this.entity();
  }

  /** Two or more spaces before a newline make a hard break; other newlines stay as they are. */
  newline(): void {
    let spaces = 0;
    const last = this.pieces.length - 1;
    if (last >= 0 && this.pieces[last].kind == TEXT) {
      const t = this.pieces[last].text;
      while (spaces < t.length && t.charCodeAt(t.length - 1 - spaces) == 32) spaces++;
      if (spaces >= 2) this.pieces[last].text = t.substring(0, t.length - spaces);
    }
    if (spaces >= 2) { this.hardBreak(0); return; }
    this.text("\n");
    this.pos++;
  }

  /** `<br>` for a newline at pos + skip; the next line's leading spaces go with it. */
  hardBreak(skip: i32): void {
    this.html("<br>");
    this.pos += skip + 1;
    while (this.pos < this.s.length && (this.s.charCodeAt(this.pos) == 32 || this.s.charCodeAt(this.pos) == 9)) this.pos++;
  }

  codeSpan(): void {
    const s = this.s;
    const start = this.pos;
    let n = 0;
    while (this.pos < s.length && s.charCodeAt(this.pos) == 96) { this.pos++; n++; }
    let search = this.pos;
    while (search < s.length) {
      const open = s.indexOf("`", search);
      if (open < 0) break;
      let m = 0;
      while (open + m < s.length && s.charCodeAt(open + m) == 96) m++;
      if (m == n) {
        let code = s.substring(this.pos, open).replaceAll("\n", " ");
        if (code.length >= 2 && code.charCodeAt(0) == 32 && code.charCodeAt(code.length - 1) == 32 && !isBlankText(code)) code = code.substring(1, code.length - 1);
        this.html("<code>" + escapeHtml(code) + "</code>", code);
        this.pos = open + m;
        return;
      }
      search = open + m;
    }
    this.text(s.substring(start, this.pos)); // no closing run: literal backticks
  }

  /** `&#…;`, `&#x…;` decoded; `&name;` kept as it is; any other `&` is text. */
  entity(): void {
    const s = this.s;
    const at = this.pos;
    let i = at + 1;
    if (i < s.length && s.charCodeAt(i) == 35) {
      i++;
      const hex = i < s.length && (s.charCodeAt(i) == 120 || s.charCodeAt(i) == 88);
      if (hex) i++;
      const digits = i;
      const most = hex ? 6 : 7;
      while (i < s.length && i - digits < most && (hex ? isHexDigit(s.charCodeAt(i)) : isDigit(s.charCodeAt(i)))) i++;
      if (i > digits && i < s.length && s.charCodeAt(i) == 59) {
        const code = I32.parseInt(s.substring(digits, i), hex ? 16 : 10);
        const valid = code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff);
        this.text(valid ? String.fromCodePoint(code) : "\uFFFD");
        this.pos = i + 1;
        return;
      }
    } else {
      while (i < s.length && isWordChar(s.charCodeAt(i))) i++;
      if (i > at + 1 && i < s.length && s.charCodeAt(i) == 59) {
        this.html(s.substring(at, i + 1), s.substring(at, i + 1));
        this.pos = i + 1;
        return;
      }
    }
    this.text("&");
    this.pos = at + 1;
  }

  delimiterRun(c: i32): void {
    const s = this.s;
    const start = this.pos;
    while (this.pos < s.length && s.charCodeAt(this.pos) == c) this.pos++;
    const before = start == 0 ? 10 : codePointBefore(s, start);
    const after = this.pos >= s.length ? 10 : codePointAt(s, this.pos);
    const afterSpace = isUnicodeWhitespace(after), beforeSpace = isUnicodeWhitespace(before);
    const afterPunct = isPunctuation(after), beforePunct = isPunctuation(before);
    const leftFlanking = !afterSpace && (!afterPunct || beforeSpace || beforePunct);
    const rightFlanking = !beforeSpace && (!beforePunct || afterSpace || afterPunct);
    let canOpen = leftFlanking, canClose = rightFlanking;
    if (c == 95) {
      canOpen = leftFlanking && (!rightFlanking || beforePunct);
      canClose = rightFlanking && (!leftFlanking || afterPunct);
    }
    const piece = new Piece(TEXT, s.substring(start, this.pos));
    this.pieces.push(piece);
    this.delimiters.push(new Delimiter(piece, c, this.pos - start, canOpen, canClose));
  }

  closeBracket(): void {
    this.pos++;
    if (this.brackets.length == 0) { this.text("]"); return; }
    const opener = this.brackets.pop();
    if (!opener.active) { this.text("]"); return; }
    const target = linkTarget(this.s, this.pos);
    if (target === null) { this.text("]"); return; }
    this.pos = target.end;
    this.processEmphasis(opener.delimiters);
    const url = safeUrl(target.destination);
    const title = target.hasTitle && target.title.length > 0 ? " title=\"" + escapeHtml(target.title) + "\"" : "";
    if (opener.image) {
      const plain = new Array<string>();
      renderPieces(this.pieces, opener.piece + 1, this.pieces.length, plain, true);
      const alt = escapeHtml(plain.join(""));
      this.pieces.length = opener.piece;
      if (url === null) this.html(alt, plain.join(""));
      else this.html("<img src=\"" + url + "\" alt=\"" + alt + "\"" + title + ">", plain.join(""));
    } else {
      this.pieces[opener.piece] = new Piece(HTML, url === null ? "" : "<a href=\"" + url + "\"" + title + ">");
      if (url !== null) this.html("</a>");
      // No links in links: earlier link openers can no longer close.
      for (let i = 0; i < this.brackets.length; i++) if (!this.brackets[i].image) this.brackets[i].active = false;
    }
  }

  /** CommonMark's "process emphasis" over the delimiters from `bottom` on; they are spent after it. */
  processEmphasis(bottom: i32): void {
    const d = this.delimiters;
    // Lowest opener index (exclusive) still worth searching, per char, closer-can-open and length % 3.
    const openersBottom = new Array<i32>(12).fill(bottom - 1);
    let closerAt = bottom;
    while (closerAt < d.length) {
      const closer = d[closerAt];
      if (!closer.active || !closer.canClose || closer.count == 0) { closerAt++; continue; }
      const key = (closer.char == 42 ? 0 : 6) + (closer.canOpen ? 3 : 0) + closer.length % 3;
      let openerAt = closerAt - 1;
      let found = false;
      while (openerAt > openersBottom[key] && openerAt >= bottom) {
        const o = d[openerAt];
        if (o.active && o.char == closer.char && o.canOpen && o.count > 0) {
          const odd = (closer.canOpen || o.canClose) && (o.length + closer.length) % 3 == 0 && !(o.length % 3 == 0 && closer.length % 3 == 0);
          if (!odd) { found = true; break; }
        }
        openerAt--;
      }
      if (!found) {
        openersBottom[key] = closerAt - 1;
        if (!closer.canOpen) closer.active = false;
        closerAt++;
        continue;
      }
      const opener = d[openerAt];
      const use = closer.count >= 2 && opener.count >= 2 ? 2 : 1;
      const tag = use == 2 ? "strong" : "em";
      opener.count -= use;
      closer.count -= use;
      opener.piece.after = "<" + tag + ">" + opener.piece.after;
      closer.piece.before = closer.piece.before + "</" + tag + ">";
      for (let k = openerAt + 1; k < closerAt; k++) d[k].active = false;
      if (opener.count == 0) opener.active = false;
      if (closer.count == 0) { closer.active = false; closerAt++; }
    }
    for (let k = bottom; k < d.length; k++) {
      d[k].piece.text = d[k].piece.text.substring(0, d[k].count);
    }
    d.length = bottom;
  }
}

function renderInline(s: string): string {
  return new InlineParser(s).parse();
}

/** HTML of pieces[from, to); `plain`: text only, unescaped (an image's alt). */
function renderPieces(pieces: Piece[], from: i32, to: i32, out: string[], plain: bool): void {
  for (let i = from; i < to; i++) {
    const p = pieces[i];
    if (plain) { out.push(p.kind == HTML ? p.plain : p.text); continue; }
    out.push(p.before);
    out.push(p.kind == HTML ? p.text : escapeHtml(p.text));
    out.push(p.after);
  }
}

/** `(destination "title")` right after a `]`; null when what follows is not one. */
function linkTarget(s: string, at: i32): LinkTarget | null {
  if (at >= s.length || s.charCodeAt(at) != 40) return null;
  const t = new LinkTarget();
  let i = skipSpace(s, at + 1);
  if (i < s.length && s.charCodeAt(i) == 60) { // <destination>
    let j = i + 1;
    while (j < s.length) {
      const c = s.charCodeAt(j);
      if (c == 92 && j + 1 < s.length) { j += 2; continue; }
      if (c == 62 || c == 60 || c == 10) break;
      j++;
    }
    if (j >= s.length || s.charCodeAt(j) != 62) return null;
    t.destination = unescapePunctuation(s.substring(i + 1, j));
    i = j + 1;
  } else {
    let depth = 0;
    let j = i;
    while (j < s.length) {
      const c = s.charCodeAt(j);
      if (c == 92 && j + 1 < s.length && isAsciiPunctuation(s.charCodeAt(j + 1))) { j += 2; continue; }
      if (c <= 32 || c == 127) break;
      if (c == 40) { depth++; if (depth > 32) return null; }
      if (c == 41) { if (depth == 0) break; depth--; }
      j++;
    }
    if (depth != 0) return null;
    t.destination = unescapePunctuation(s.substring(i, j));
    i = j;
  }
  const afterDestination = i;
  i = skipSpace(s, i);
  if (i < s.length && i > afterDestination) {
    const open = s.charCodeAt(i);
    const close = open == 40 ? 41 : open;
    if (open == 34 || open == 39 || open == 40) {
      let j = i + 1;
      while (j < s.length && s.charCodeAt(j) != close) {
        if (s.charCodeAt(j) == 92 && j + 1 < s.length) j++;
        else if (open == 40 && s.charCodeAt(j) == 40) return null;
        j++;
      }
      if (j >= s.length) return null;
      t.title = unescapePunctuation(s.substring(i + 1, j));
      t.hasTitle = true;
      i = skipSpace(s, j + 1);
    }
  }
  if (i >= s.length || s.charCodeAt(i) != 41) return null;
  t.end = i + 1;
  return t;
}

/** Spaces, tabs and at most one newline. */
function skipSpace(s: string, at: i32): i32 {
  let newline = false;
  while (at < s.length) {
    const c = s.charCodeAt(at);
    if (c == 10) { if (newline) break; newline = true; }
    else if (c != 32 && c != 9) break;
    at++;
  }
  return at;
}

/**
 * The destination as an attribute value, or null when its scheme is not http, https or mailto
 * (javascript:, data:, vbscript: …): those links keep only their text. Percent-encoded as
 * encodeURI does (an existing % is kept), then escaped, so `&` can never start a reference.
 */
function safeUrl(url: string): string | null {
  let i = 0;
  while (i < url.length) {
    const c = url.charCodeAt(i);
    const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    if (letter || (i > 0 && (isDigit(c) || c == 43 || c == 45 || c == 46))) { i++; continue; }
    if (c == 58 && i > 0) {
      const scheme = url.substring(0, i).toLowerCase();
      if (scheme != "http" && scheme != "https" && scheme != "mailto") return null;
    }
    break;
  }
  const out = new Array<string>();
  for (let k = 0; k < url.length; k++) {
    const c = url.charCodeAt(k);
    if (isUriChar(c)) { out.push(String.fromCharCode(c)); continue; }
    let cp = c;
    if (c >= 0xd800 && c <= 0xdbff) {
      if (k + 1 >= url.length) return null;
      const low = url.charCodeAt(k + 1);
      if (low < 0xdc00 || low > 0xdfff) return null;
      cp = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
      k++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return null;
    const bytes = String.UTF8.encode(String.fromCodePoint(cp));
    const view = Uint8Array.wrap(bytes);
    for (let b = 0; b < view.length; b++) out.push("%" + hexByte(<i32>view[b]));
  }
  return escapeHtml(out.join(""));
}

/** What encodeURI leaves as it is, and %. */
function isUriChar(c: i32): bool {
  if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || isDigit(c)) return true;
  return c < 128 && "-_.!~*'();/?:@&=+$,#%".includes(String.fromCharCode(c));
}

function hexByte(b: i32): string {
  const digits = "0123456789ABCDEF";
  return digits.charAt(b >> 4) + digits.charAt(b & 15);
}

// ---- characters ----------------------------------------------------------------------------------

function escapeHtml(s: string): string {
  let i = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c == 38 || c == 60 || c == 62 || c == 34 || c == 39) break;
  }
  if (i == s.length) return s;
  const out = new Array<string>();
  let from = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let rep = "";
    if (c == 38) rep = "&amp;";
    else if (c == 60) rep = "&lt;";
    else if (c == 62) rep = "&gt;";
    else if (c == 34) rep = "&quot;";
    else if (c == 39) rep = "&#39;";
    else continue;
    out.push(s.substring(from, i));
    out.push(rep);
    from = i + 1;
  }
  out.push(s.substring(from));
  return out.join("");
}

function isDigit(c: i32): bool { return c >= 48 && c <= 57; }
function isHexDigit(c: i32): bool { return isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102); }
function isWordChar(c: i32): bool { return isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95; }

function isAsciiPunctuation(c: i32): bool {
  return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126);
}

function isUnicodeWhitespace(c: i32): bool {
  return c == 32 || c == 9 || c == 10 || c == 12 || c == 13 || c == 0xa0 || c == 0x1680
    || (c >= 0x2000 && c <= 0x200a) || c == 0x202f || c == 0x205f || c == 0x3000;
}

/**
 * Unicode punctuation and symbols (P and S), as CommonMark's flanking rules read them: ASCII
 * exactly; beyond it, the Latin-1 signs and the general punctuation, currency, letterlike,
 * arrow, mathematical and CJK punctuation blocks (an approximation: no Unicode tables here).
 */
function isPunctuation(c: i32): bool {
  if (c < 128) return isAsciiPunctuation(c);
  if (c >= 0xa1 && c <= 0xbf) return c != 0xaa && c != 0xb2 && c != 0xb3 && c != 0xb5 && c != 0xb9 && c != 0xba && (c < 0xbc || c > 0xbe);
  return c == 0xd7 || c == 0xf7 || (c >= 0x2010 && c <= 0x2027) || (c >= 0x2030 && c <= 0x205e)
    || (c >= 0x20a0 && c <= 0x20cf) || (c >= 0x2100 && c <= 0x2bff) || (c >= 0x3001 && c <= 0x303f);
}

function codePointAt(s: string, at: i32): i32 {
  const c = s.charCodeAt(at);
  if (c >= 0xd800 && c <= 0xdbff && at + 1 < s.length) {
    const low = s.charCodeAt(at + 1);
    if (low >= 0xdc00 && low <= 0xdfff) return 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
  }
  return c;
}

function codePointBefore(s: string, at: i32): i32 {
  const c = s.charCodeAt(at - 1);
  if (c >= 0xdc00 && c <= 0xdfff && at >= 2) {
    const high = s.charCodeAt(at - 2);
    if (high >= 0xd800 && high <= 0xdbff) return 0x10000 + ((high - 0xd800) << 10) + (c - 0xdc00);
  }
  return c;
}
