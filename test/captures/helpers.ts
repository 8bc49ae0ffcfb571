import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A temp folder under the OS temp dir and its cleanup. */
export async function tempDir(prefix = 'evalwatch-captures-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Writes a file below `root` at a `/`-separated key, creating folders. */
export async function writeKey(root: string, key: string, body: string | Uint8Array): Promise<void> {
  const path = join(root, ...key.split('/'));
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, body);
}

export const HOUR14 = Date.UTC(2026, 10, 23, 14);

/** A valid capture line (JSON text) with overrides. */
export function line(over: Record<string, unknown> = {}): string {
  return JSON.stringify({ request_id: 'r1', timestamp: '2026-11-23T14:05:00Z', route: 'chat', ...over });
}
