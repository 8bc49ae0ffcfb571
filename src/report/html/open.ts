import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';
import type { ResultsStore } from '../../store/types.ts';
import type { RunReport } from '../types.ts';
import { renderReportHtml } from './page.ts';
import { htmlKeyFor } from './write.ts';

/** A command that opens a file in the desktop's browser. */
export interface Opener {
  readonly command: string;
  readonly args: readonly string[];
}

function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * The platform's "open this file" command: `open` on macOS, `start` (through `cmd`) on Windows,
 * `xdg-open` elsewhere; `undefined` when it is not installed (a server, a container).
 *
 * @example
 * findOpener('linux', process.env); // { command: '/usr/bin/xdg-open', args: [] }
 */
export function findOpener(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): Opener | undefined {
  if (platform === 'win32') return { command: 'cmd', args: ['/c', 'start', '""'] };
  const cmd = onPath(platform === 'darwin' ? 'open' : 'xdg-open', env);
  return cmd ? { command: cmd, args: [] } : undefined;
}

/**
 * A local file of a run's `report.html`: the file itself on the fs store; on S3 (or any store
 * without local files) a copy downloaded into `tmpDir`. A report written before HTML reports
 * existed is rendered from its JSON (into the store next to it on the fs store, into `tmpDir`
 * otherwise).
 *
 * @example
 * const file = await localReportHtml(store, found.key, found.report, os.tmpdir());
 */
export async function localReportHtml(store: ResultsStore, jsonKey: string, report: RunReport, tmpDir: string): Promise<string> {
  const key = htmlKeyFor(jsonKey);
  const where = store.locate(key);
  let bytes = await store.get(key);
  if (!bytes) {
    const html = renderReportHtml(report, { jsonLocation: store.locate(jsonKey) });
    if (isAbsolute(where)) {
      await store.put(key, html, { contentType: 'text/html; charset=utf-8' });
      return where;
    }
    bytes = new TextEncoder().encode(html);
  }
  if (isAbsolute(where)) return where;
  await mkdir(tmpDir, { recursive: true });
  const file = join(tmpDir, `evalwatch-${report.runId.replace(/[^A-Za-z0-9._-]/g, '_')}.html`);
  await writeFile(file, bytes);
  return file;
}

/**
 * Opens a file with the platform's opener, detached (the CLI does not wait for the browser).
 * Resolves `false` when there is no opener or it could not start: the caller prints the path.
 *
 * @example
 * if (!(await openFile(file))) console.log(file);
 */
export async function openFile(file: string, opener: Opener | undefined = findOpener()): Promise<boolean> {
  if (!opener) return false;
  return new Promise((resolve) => {
    const child = spawn(opener.command, [...opener.args, file], { detached: true, stdio: 'ignore', windowsVerbatimArguments: opener.command === 'cmd' });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}
