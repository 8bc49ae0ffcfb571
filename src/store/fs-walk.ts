import { readdir, stat } from 'node:fs/promises';
import { sep } from 'node:path';

/** A regular file found by `walkFiles`. */
export interface WalkedFile {
  /** `prefix` + its `/`-separated path below the walked folder. */
  readonly key: string;
  /** Its path on disk. */
  readonly path: string;
}

export interface WalkOptions {
  /** Entries (files or folders) whose name this returns true for are left out. Default: none. */
  readonly skip?: (name: string) => boolean;
  /**
   * Follow symbolic links to files and folders (a link whose target is gone or loops is left
   * out). Default false: links are left out.
   */
  readonly followSymlinks?: boolean;
}

/**
 * Every regular file below `dir` (recursively), keyed by `prefix` plus its `/`-separated path, in
 * no particular order. A missing `dir` (or one that is a file) has none. The capture source and
 * the results store both map keys onto folders this way.
 *
 * @example
 * await walkFiles('/data/captures/dt=2026-11-23/hour=14', 'dt=2026-11-23/hour=14/', { followSymlinks: true });
 * // [{ key: 'dt=2026-11-23/hour=14/a.jsonl.gz', path: '/data/captures/dt=2026-11-23/hour=14/a.jsonl.gz' }]
 */
export async function walkFiles(dir: string, prefix: string, options: WalkOptions = {}): Promise<WalkedFile[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (isErrnoCode(err, 'ENOENT') || isErrnoCode(err, 'ENOTDIR')) return [];
    throw err;
  }
  const out: WalkedFile[] = [];
  for (const e of entries) {
    if (options.skip?.(e.name)) continue;
    const path = dir + sep + e.name;
    const key = prefix + e.name;
    let isDir = e.isDirectory();
    let isFile = e.isFile();
    if (options.followSymlinks && e.isSymbolicLink()) {
      const s = await stat(path).catch(() => null);
      isDir = s?.isDirectory() ?? false;
      isFile = s?.isFile() ?? false;
    }
    if (isDir) out.push(...(await walkFiles(path, `${key}/`, options)));
    else if (isFile) out.push({ key, path });
  }
  return out;
}

/**
 * Whether `err` is a Node system error with this `code`.
 *
 * @example
 * if (isErrnoCode(err, 'ENOENT')) return null;
 */
export function isErrnoCode(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}
