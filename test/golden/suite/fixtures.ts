import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A temporary suites folder; `write` adds files (nested paths allowed), `rm` removes it. */
export function suitesDir(): { dir: string; write(rel: string, text: string): string; rm(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'ew-golden-'));
  return {
    dir,
    write(rel, text) {
      const p = path.join(dir, rel);
      mkdirSync(path.dirname(p), { recursive: true });
      writeFileSync(p, text);
      return p;
    },
    rm: () => rmSync(dir, { recursive: true, force: true }),
  };
}
