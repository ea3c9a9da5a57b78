/**
 * Maps config key paths to line numbers in the source text, and YAML/JSON syntax errors to
 * file:line:col, using the yaml package's Document and LineCounter. JSON is parsed strictly by
 * JSON.parse; the YAML reading of the same text (JSON is YAML) only supplies the line numbers.
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, Pair, parseDocument, visit, YAMLMap, type Alias, type Document, type Node } from 'yaml';
import type { KeyPath } from './dsl/field.ts';
import type { LocatedIssue } from './config-error.ts';

export type LineOf = (path: KeyPath) => number | undefined;

export interface ParsedSource {
  readonly raw: unknown;
  readonly lineOf: LineOf;
  /** Syntax errors; when non-empty, `raw` must not be used. */
  readonly syntaxErrors: readonly LocatedIssue[];
}

export function parseYamlSource(text: string, file: string): ParsedSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const syntaxErrors = doc.errors.map((error): LocatedIssue => {
    const { line, col } = lineCounter.linePos(error.pos[0]);
    return { path: [], message: yamlMessage(error.code, error.message), file, line, column: col };
  });
  if (syntaxErrors.length > 0) return { raw: undefined, lineOf: createLineOf(doc, lineCounter), syntaxErrors };
  const converted = toJs(doc, lineCounter, file);
  return { raw: converted.raw, lineOf: createLineOf(doc, lineCounter), syntaxErrors: converted.errors };
}

const MAX_ALIAS_COUNT = 100;

/**
 * The document as plain values. The yaml package parses aliases without complaint and throws only
 * here (a ReferenceError) for one with no anchor before it, and for more than maxAliasCount
 * expansions: bounded so a few lines of anchors cannot expand into gigabytes ("billion laughs").
 */
function toJs(doc: Document, lineCounter: LineCounter, file: string): { raw: unknown; errors: LocatedIssue[] } {
  try {
    return { raw: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }), errors: [] };
  } catch (error) {
    const dangling = firstAlias(doc, (alias) => alias.resolve(doc) === undefined);
    const alias = dangling ?? firstAlias(doc, () => true);
    const message = dangling !== undefined
      ? `expected an anchor &${dangling.source} before the alias *${dangling.source}, got none`
      : alias !== undefined
        ? `expected at most ${MAX_ALIAS_COUNT} alias expansions, got more (an alias bomb?)`
        : `cannot read the document: ${error instanceof Error ? error.message : String(error)}`;
    const { line, col } = lineCounter.linePos(alias?.range?.[0] ?? 0);
    return { raw: undefined, errors: [{ path: [], message, file, line, column: col }] };
  }
}

function firstAlias(doc: Document, test: (alias: Alias) => boolean): Alias | undefined {
  let found: Alias | undefined;
  visit(doc, {
    Alias(_key, node) {
      if (!test(node)) return undefined;
      found = node;
      return visit.BREAK;
    },
  });
  return found;
}

/** The yaml package's wording, except where it speaks to programmers rather than config authors. */
function yamlMessage(code: string, message: string): string {
  return code === 'MULTIPLE_DOCS' ? 'expected one YAML document, got several (a config file has no "---" separators)' : message;
}

export function parseJsonSource(text: string, file: string): ParsedSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  try {
    return { raw: JSON.parse(text) as unknown, lineOf: createLineOf(doc, lineCounter), syntaxErrors: [] };
  } catch (error) {
    return { raw: undefined, lineOf: () => undefined, syntaxErrors: [jsonSyntaxIssue(error, text, file, doc, lineCounter)] };
  }
}

/** V8 names an offset for most JSON errors; otherwise the YAML parser may still place it. */
function jsonSyntaxIssue(error: unknown, text: string, file: string, doc: Document, lineCounter: LineCounter): LocatedIssue {
  const message = error instanceof Error ? error.message : String(error);
  // Drop V8's quoted copy of the input ('Unexpected token }, "{ ... }" is not valid JSON').
  const short = `invalid JSON: ${message.replace(/, ".*" is not valid JSON$/s, '').replace(/ in JSON at position \d+.*$/s, '')}`;
  const offset = /at position (\d+)/.exec(message)?.[1];
  if (offset !== undefined) return { path: [], message: short, file, ...lineAndColumn(text, Number(offset)) };
  const yamlError = doc.errors[0];
  if (yamlError === undefined) return { path: [], message: short, file };
  const { line, col } = lineCounter.linePos(yamlError.pos[0]);
  return { path: [], message: short, file, line, column: col };
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/**
 * Finds the line of the deepest key on `path` that exists in the document: a missing key is
 * reported at the mapping that should have held it.
 */
function createLineOf(doc: Document, lineCounter: LineCounter): LineOf {
  return (path) => {
    let node: unknown = doc.contents;
    let line: number | undefined;
    for (const segment of path) {
      if (isAlias(node)) node = node.resolve(doc);
      const step = childOf(doc, node, segment);
      if (step === undefined) break;
      if (step.start !== undefined) line = lineCounter.linePos(step.start).line;
      node = step.node;
    }
    return line;
  };
}

function childOf(doc: Document, node: unknown, segment: string | number): { node: unknown; start: number | undefined } | undefined {
  if (isMap(node)) {
    const pair = node.items.find((item) => jsKeyOf(doc, item.key) === String(segment));
    if (pair === undefined) return undefined;
    return { node: pair.value, start: (pair.key as Node).range?.[0] };
  }
  if (isSeq(node) && typeof segment === 'number') {
    const item: unknown = node.items[segment];
    if (item === undefined) return undefined;
    return { node: item, start: isScalar(item) || isMap(item) || isSeq(item) ? item.range?.[0] : undefined };
  }
  return undefined;
}

/**
 * The property name toJS gives a mapping key, which is what key paths hold: `~` and `{:}` become
 * "", a collection key its flow text (`? [a, b]` → "[ a, b ]"). Asked of the yaml package itself,
 * for a one-pair mapping, so the two can never disagree.
 */
function jsKeyOf(doc: Document, key: unknown): string {
  if (isScalar(key) && (typeof key.value === 'string' || typeof key.value === 'number' || typeof key.value === 'boolean')) return String(key.value);
  const single = new YAMLMap(doc.schema);
  single.items.push(new Pair(key, null));
  return Object.keys(single.toJS(doc) as object)[0] ?? '';
}
