import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, link, mkdir, open, readFile, rename, rm, unlink } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isErrnoCode, walkFiles } from './fs-walk.ts';
import type { PutOptions, ResultsStore } from './types.ts';

export interface FsStoreOptions {
  /** Folder of the store; created on first write. */
  readonly root: string;
  /** fsync files and their folder before a write resolves (durable across a crash). Default true. */
  readonly fsync?: boolean;
}

/** A key that is not a relative `/`-separated path inside the store. */
export class StoreKeyError extends Error {
  readonly code = 'STORE_KEY_INVALID';
  override readonly name = 'StoreKeyError';
}

/** Temporary files carry this prefix; keys may not, so listings never show a write in progress. */
const TEMP_PREFIX = '.~evalwatch-tmp.';

/**
 * The results store on a local folder (the embedded default). Every write goes to a temporary file
 * in the target's folder, is fsynced (unless the write is not `durable`), then renamed (or
 * hard-linked for `putIfAbsent`) into place: a reader sees the old object or the new one, never a
 * partial one, also across processes.
 * `list` gathers the matching keys of one prefix in memory and sorts them by UTF-16 code unit
 * (the same as S3's UTF-8 byte order for every key without characters above U+FFFF).
 *
 * @example
 * const store = createFsStore({ root: '.evalwatch/results' });
 * await store.put('runs/2026-11-23/drift-1/report.json', JSON.stringify(report));
 * await store.putIfAbsent('runs/2026-11-23/drift-1/claimed', ''); // true once, then false
 */
export function createFsStore(options: FsStoreOptions): ResultsStore {
  const root = resolve(options.root);
  const durable = options.fsync ?? true;

  const pathOf = (key: string): string => join(root, ...keyParts(key));

  /** Whether a write with these options fsyncs. */
  const syncs = (opts: PutOptions | undefined): boolean => durable && opts?.durable !== false;

  /** Writes a complete temp file next to `path` and returns its name. */
  const writeTemp = async (path: string, body: string | Uint8Array, sync: boolean): Promise<string> => {
    const dir = dirname(path);
    await mkdir(dir, { recursive: true });
    const tmp = join(dir, `${TEMP_PREFIX}${process.pid}.${randomBytes(6).toString('hex')}`);
    const fh = await open(tmp, 'wx', 0o644);
    try {
      await fh.writeFile(body);
      if (sync) await fh.sync();
    } catch (err) {
      await fh.close().catch(() => undefined);
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
    await fh.close();
    return tmp;
  };

  const syncDir = async (path: string, sync: boolean): Promise<void> => {
    if (!sync) return;
    const fh = await open(dirname(path), 'r').catch(() => null);
    if (!fh) return;
    // Some file systems refuse fsync on a directory; the rename itself is still atomic there.
    await fh.sync().catch(() => undefined);
    await fh.close();
  };

  return {
    describe: () => pathToFileURL(root).href,

    async put(key: string, body: string | Uint8Array, options?: PutOptions): Promise<void> {
      const path = pathOf(key);
      const sync = syncs(options);
      const tmp = await writeTemp(path, body, sync);
      try {
        await rename(tmp, path);
      } catch (err) {
        await unlink(tmp).catch(() => undefined);
        throw err;
      }
      await syncDir(path, sync);
    },

    async putIfAbsent(key: string, body: string | Uint8Array, options?: PutOptions): Promise<boolean> {
      const path = pathOf(key);
      const sync = syncs(options);
      const tmp = await writeTemp(path, body, sync);
      try {
        // link(2) fails with EEXIST when the name exists: the atomic create-if-absent, with the
        // content already complete, so no one can see the object half written.
        await link(tmp, path);
      } catch (err) {
        if (isErrnoCode(err, 'EEXIST')) return false;
        if (isErrnoCode(err, 'EPERM') || isErrnoCode(err, 'ENOTSUP') || isErrnoCode(err, 'EOPNOTSUPP')) {
          // File systems without hard links: still exclusive, but a reader might see a partial copy.
          try {
            await copyFile(tmp, path, constants.COPYFILE_EXCL);
          } catch (e) {
            if (isErrnoCode(e, 'EEXIST')) return false;
            throw e;
          }
          return true;
        }
        throw err;
      } finally {
        await unlink(tmp).catch(() => undefined);
      }
      await syncDir(path, sync);
      return true;
    },

    async get(key: string): Promise<Uint8Array | null> {
      try {
        return await readFile(pathOf(key));
      } catch (err) {
        if (isErrnoCode(err, 'ENOENT') || isErrnoCode(err, 'EISDIR') || isErrnoCode(err, 'ENOTDIR')) return null;
        throw err;
      }
    },

    async *list(prefix: string): AsyncIterable<string> {
      if (prefix.startsWith('/') || prefix.includes('\\') || prefix.split('/').some((p) => p === '..' || p === '.')) {
        throw new StoreKeyError(`list prefix ${JSON.stringify(prefix)} must be a relative "/"-separated path`);
      }
      // The prefix need not end at a folder boundary (`runs/2026-11-2`): walk its folder, filter.
      const cut = prefix.lastIndexOf('/');
      const dirKey = cut === -1 ? '' : prefix.slice(0, cut + 1);
      const dir = dirKey === '' ? root : join(root, ...dirKey.split('/').filter(Boolean));
      const files = await walkFiles(dir, dirKey, { skip: (name) => name.startsWith(TEMP_PREFIX) });
      const matching = files.map((f) => f.key).filter((k) => k.startsWith(prefix));
      matching.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      yield* matching;
    },

    async delete(key: string): Promise<void> {
      try {
        await unlink(pathOf(key));
      } catch (err) {
        if (!isErrnoCode(err, 'ENOENT')) throw err;
      }
    },

    locate: (key: string) => pathOf(key),

    async check(): Promise<void> {
      await mkdir(root, { recursive: true });
      const probe = join(root, `${TEMP_PREFIX}probe.${process.pid}.${randomBytes(6).toString('hex')}`);
      const fh = await open(probe, 'wx');
      try {
        await fh.writeFile('ok');
      } finally {
        await fh.close();
        await rm(probe, { force: true });
      }
    },
  };
}

/**
 * Splits and checks a store key: relative, `/`-separated, no empty, `.` or `..` segment, no
 * backslash or NUL, and no segment that looks like one of our temporary files.
 */
function keyParts(key: string): string[] {
  const parts = key.split('/');
  const bad =
    key === '' ||
    isAbsolute(key) ||
    key.includes('\\') ||
    key.includes('\0') ||
    parts.some((p) => p === '' || p === '.' || p === '..' || p.startsWith(TEMP_PREFIX));
  if (bad) {
    throw new StoreKeyError(
      `store key ${JSON.stringify(key)} must be a relative "/"-separated path without empty, "." or ".." segments`,
    );
  }
  return parts;
}
