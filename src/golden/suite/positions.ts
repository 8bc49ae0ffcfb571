import { isMap, isNode, isPair, isScalar, LineCounter, parseDocument, type Document } from 'yaml';

/** A key path into a YAML document: map keys and list indexes. */
export type KeyPath = ReadonlyArray<string | number>;

/**
 * A parsed YAML file that answers "on which line is this key?", so every suite error names its
 * line. Lines are 1-based.
 */
export class YamlSource {
  readonly doc: Document;
  private readonly lines = new LineCounter();

  /**
   * @example
   * const src = new YamlSource('a:\n  b: [1, 2]\n');
   * src.lineOf(['a', 'b', 1]); // 2
   */
  constructor(text: string) {
    this.doc = parseDocument(text, { lineCounter: this.lines, prettyErrors: false, uniqueKeys: true });
  }

  /** The first YAML syntax error with its line, if any. */
  syntaxError(): { line: number; message: string } | undefined {
    const e = this.doc.errors[0];
    if (!e) return undefined;
    const line = e.linePos?.[0]?.line ?? (e.pos?.[0] !== undefined ? this.lines.linePos(e.pos[0]).line : 1);
    return { line, message: e.message.split('\n')[0] ?? e.message };
  }

  /** The document as plain JavaScript values. */
  toJS(): unknown {
    return this.doc.toJS({ maxAliasCount: 100 });
  }

  /**
   * The line of the deepest node on `path` that exists (the value of a key, else its closest
   * parent), or 1 for an empty document.
   */
  lineOf(path: KeyPath): number {
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? this.doc.contents : this.doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range) return this.lines.linePos(node.range[0]).line;
    }
    return 1;
  }

  /** The line of the key `key` of the map at `path` (for "unknown key" messages). */
  lineOfKey(path: KeyPath, key: string): number {
    const map = path.length === 0 ? this.doc.contents : this.doc.getIn(path, true);
    if (isMap(map)) {
      for (const item of map.items) {
        if (isPair(item) && isScalar(item.key) && String(item.key.value) === key && item.key.range) {
          return this.lines.linePos(item.key.range[0]).line;
        }
      }
    }
    return this.lineOf(path);
  }
}

/**
 * A key path as people write it: `tests[3].assert[1].type`.
 *
 * @example
 * formatPath(['tests', 3, 'assert', 1, 'type']); // 'tests[3].assert[1].type'
 */
export function formatPath(path: KeyPath): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s ? `.${p}` : p;
  return s;
}
