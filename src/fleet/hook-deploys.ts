/**
 * The hooks a node runs under fleet deploys: its config file's `hooks:` list with each deployed
 * hook's module (a local copy of the bytes Redis holds under their sha256, pinned by it) and,
 * when the deploy gave one, its `config` value. Kept as an overlay, not a new list, so a config
 * reload (SIGHUP, POST /reload) changes what the file says and the deploys stay on top.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HookConfig } from '../config/types.ts';
import type { DeployRecord } from './fleet-entry.ts';

/** As for https:// modules (module-source.ts): a SpiderMonkey component is ~12 MB. */
export const MAX_MODULE_BYTES = 64 * 1_048_576;

export interface AppliedDeploy {
  readonly record: DeployRecord;
  /** The local copy of the module; null = the config file's module. */
  readonly modulePath: string | null;
}

export type HookDeploys = ReadonlyMap<string, AppliedDeploy>;

export function withDeploys(base: readonly HookConfig[], deploys: HookDeploys): HookConfig[] {
  return base.map((hook) => {
    const deploy = deploys.get(hook.name);
    if (deploy === undefined) return hook;
    const { record, modulePath } = deploy;
    return Object.freeze({
      ...hook,
      ...(modulePath === null || record.sha256 === null ? {} : { module: modulePath, sha256: record.sha256 }),
      ...(record.config === undefined ? {} : { config: record.config }),
    });
  });
}

/**
 * The module file for `sha256` in `dir`, written from `fetch()`'s bytes unless already there, or
 * why there is none (Redis no longer has it, or holds other bytes under that name). The bytes are
 * checked against the hash before anything loads them. A failing fetch (Redis gone) throws.
 */
export async function moduleFile(dir: string, sha256: string, fetch: () => Promise<Buffer | null>): Promise<{ path: string } | { refused: string }> {
  const path = join(dir, `${sha256}.wasm`);
  if (existsSync(path)) return { path };
  const bytes = await fetch();
  if (bytes === null) return { refused: `module ${sha256} is not in Redis` };
  if (bytes.length > MAX_MODULE_BYTES) return { refused: `module ${sha256}: ${bytes.length} bytes, more than the ${MAX_MODULE_BYTES} a hook module may have` };
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== sha256) return { refused: `module ${sha256}: Redis holds bytes hashing to ${actual}` };
  await mkdir(dir, { recursive: true });
  await writeFile(`${path}.${process.pid}.tmp`, bytes);
  await rename(`${path}.${process.pid}.tmp`, path);
  return { path };
}
