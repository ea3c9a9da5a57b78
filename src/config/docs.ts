/**
 * Renders docs/configuration.md from the schema, so every key's type, default and meaning is
 * written down in exactly one place (schema.ts). A unit test fails when the checked-in file is
 * stale; regenerate with `npx node src/config/docs.ts > docs/configuration.md`.
 */
import type { AnyField, Shape } from './dsl/field.ts';
import { edgehookSchema } from './schema.ts';

interface Row {
  readonly path: string;
  readonly field: AnyField;
}

export function renderConfigDocs(): string {
  const shape = edgehookSchema.shape ?? {};
  const sections = Object.entries(shape).map(([key, field]) => renderSection(key, field));
  return [INTRO, ...sections].join('\n\n') + '\n';
}

function renderSection(key: string, field: AnyField): string {
  const heading = `## \`${key}\`${field.defaultLabel === undefined ? ' (required)' : ''}`;
  const rows = collectRows(key, field, true);
  const table = ['| Key | Type | Default | Meaning |', '| --- | --- | --- | --- |', ...rows.map(renderRow)];
  const summary = field.type === 'mapping' ? field.doc : `${field.doc} Type: ${field.type}.`;
  return [heading, summary, table.join('\n')].join('\n\n');
}

/**
 * Keys in schema order, nested mappings flattened into paths (`hooks[].name` for lists of
 * mappings). A mapping gets a row of its own only when it says more than "a mapping" (it may be
 * null, a list, a shorthand string); a section's own row is its heading.
 */
function collectRows(path: string, field: AnyField, isSection = false): Row[] {
  const shape: Shape | undefined = field.shape ?? field.item?.shape;
  if (shape === undefined) return [{ path, field }];
  const prefix = field.shape === undefined ? `${path}[]` : path;
  const own = !isSection && field.type !== 'mapping' ? [{ path, field }] : [];
  const children = Object.entries(shape).flatMap(([key, child]) => collectRows(`${prefix}.${key}`, child));
  return [...own, ...children];
}

function renderRow({ path, field }: Row): string {
  const fallback = field.defaultLabel === undefined ? '**required**' : `\`${field.defaultLabel}\``;
  return `| \`${path}\` | ${cell(field.type)} | ${cell(fallback)} | ${cell(field.doc)} |`;
}

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

const INTRO = `# Configuration reference

<!-- Generated from src/config/schema.ts by \`npx node src/config/docs.ts > docs/configuration.md\`. Do not edit by hand. -->

edgehook reads one config file, YAML (\`.yaml\`, \`.yml\`) or JSON (\`.json\`), given with
\`edgehook serve --config FILE\`. Only \`origin.url\` is required; every other key has the default
listed below. See [examples/edgehook.yaml](../examples/edgehook.yaml) for a commented example.

- **Keys** are snake_case. Unknown keys are errors (with a "did you mean" when one is close).
- **Sizes** are a number with a unit: \`B\`, \`KB\`, \`MB\`, \`GB\`, \`TB\`
  (powers of 1000) or \`KiB\`, \`MiB\`, \`GiB\`, \`TiB\` (powers of 1024), e.g. \`64MiB\`, \`1GB\`, \`512B\`.
- **Durations** are number+unit parts with units \`ms\`, \`s\`, \`m\`, \`h\`, \`d\`, e.g.
  \`500ms\`, \`30s\`, \`1m30s\`, \`1d\`.
- **A bare number** is refused for a size or a duration (\`shutdown_grace: 10\` → "did you mean
  \"10s\"?"), except 0 and keys whose name carries the unit (\`max_bytes\`, \`timeout_ms\`) or
  that say so (a hook's \`body\` sizes, in bytes).
- **null** (or \`~\`, or nothing after the colon) means "none" where a key allows it: no disk tier,
  no default TTL, no body limit, no admin token. A section left empty (\`cache:\` with everything
  under it commented out) means "all defaults".
- **Relative paths** (\`cache.disk.path\`, \`hooks[].module\`) are resolved against the config
  file's directory.
- **Command-line flags** override the file: \`--origin\` replaces \`origin.url\`, \`--listen\`
  replaces \`listen\`, \`--admin HOST:PORT\` moves the admin API (keeping its token) and
  \`--admin off\` turns it off, \`--log-level\` replaces \`log.level\`.
- **Errors** are all reported at once, one per line, as \`file:line: key.path: expected …, got …\`.

The validated config is frozen at startup and handed to the rest of edgehook as \`EdgehookConfig\`
(src/config/types.ts): keys in camelCase, sizes in bytes, durations in milliseconds.`;

if (import.meta.main) process.stdout.write(renderConfigDocs());
