import { isAscii, isUtf8 } from 'node:buffer';

/**
 * What the splitter knows about a line's bytes: `ASCII` (every byte < 0x80, so `latin1` decoding
 * is exact and cheapest), `UTF8` (valid, with multi-byte sequences) or `INVALID_UTF8`.
 */
export type LineEncoding = typeof ASCII | typeof UTF8 | typeof INVALID_UTF8;
export const ASCII = 0;
export const UTF8 = 1;
export const INVALID_UTF8 = 2;

export interface LineSplitterOptions {
  /** Lines longer than this (bytes, without the terminator) go to `onTooLong`. */
  readonly maxLineBytes: number;
  /** Bytes kept of a line that is too long, for the quarantine entry. */
  readonly headBytes: number;
  /**
   * A complete line, `\n` and a trailing `\r` removed: `buf[start, end)`. `lineNo` is 1-based and
   * counts every physical line, blank ones included. The buffer is only valid during the call.
   */
  readonly onLine: (buf: Buffer, start: number, end: number, lineNo: number, enc: LineEncoding) => void;
  /** A line over `maxLineBytes`: its first `headBytes` and its full length. Never buffered whole. */
  readonly onTooLong: (head: Buffer, bytes: number, lineNo: number) => void;
}

/** The unterminated tail left when the input stops. */
export interface Pending {
  /** The line number it would have had. */
  readonly lineNo: number;
  /** Its bytes (only the head when it grew past `maxLineBytes`). */
  readonly head: Buffer;
  /** Its full length in bytes. */
  readonly bytes: number;
  /** True when it already exceeded `maxLineBytes`. */
  readonly tooLong: boolean;
}

/**
 * Splits a byte stream into lines on `\n` without decoding or concatenating chunks: lines that
 * fit in a chunk are handed over as offsets into it; only a line that spans chunks is copied, and
 * a line over the limit is never held in memory beyond its head. UTF-8 is validated once per chunk
 * (lines are cut at `\n`, an ASCII byte, so a valid chunk means valid lines) and per line only
 * when a chunk fails.
 *
 * @example
 * const s = new LineSplitter({ maxLineBytes: 8 << 20, headBytes: 65536, onLine, onTooLong });
 * for await (const chunk of stream) s.push(chunk);
 * const tail = s.finish(); // the last line when it had no newline, for the caller to judge
 */
export class LineSplitter {
  private readonly opts: LineSplitterOptions;
  private carry: Buffer[] = [];
  private carryBytes = 0;
  /** Set while discarding a line that grew past the limit. */
  private skipHead: Buffer | null = null;
  private skipBytes = 0;
  private lineNo = 0;
  /** Last byte of the partial line, to recognise a `\r` right before a `\n` in the next chunk. */
  private lastByte = 0;

  constructor(options: LineSplitterOptions) {
    this.opts = options;
  }

  /** Lines seen so far (complete ones). */
  get lines(): number {
    return this.lineNo;
  }

  /** Feeds the next chunk. */
  push(chunk: Buffer): void {
    const len = chunk.length;
    let pos = 0;
    let nl = chunk.indexOf(10);
    if (nl === -1) {
      this.extendPartial(chunk);
      return;
    }
    if (this.carryBytes > 0 || this.skipHead !== null) {
      this.completePartial(chunk, nl);
      pos = nl + 1;
      nl = pos < len ? chunk.indexOf(10, pos) : -1;
    }
    if (nl !== -1) {
      const last = chunk.lastIndexOf(10);
      const region = chunk.subarray(pos, last);
      // ASCII chunk: every line is ASCII. Valid UTF-8 chunk: every line is valid, and a cheap
      // per-line ASCII check still lets most lines take the fast latin1 decode.
      const enc = isAscii(region) ? ASCII : isUtf8(region) ? UTF8 : INVALID_UTF8;
      const { maxLineBytes, onLine, onTooLong, headBytes } = this.opts;
      while (nl !== -1) {
        const lineNo = ++this.lineNo;
        let end = nl;
        if (end > pos && chunk[end - 1] === 13) end--;
        if (end - pos > maxLineBytes) {
          onTooLong(Buffer.from(chunk.subarray(pos, pos + headBytes)), end - pos, lineNo);
        } else {
          const line = enc === ASCII ? null : chunk.subarray(pos, end);
          onLine(chunk, pos, end, lineNo, line === null ? ASCII : enc === UTF8 ? (isAscii(line) ? ASCII : UTF8) : classify(line));
        }
        pos = nl + 1;
        nl = pos < len ? chunk.indexOf(10, pos) : -1;
      }
    }
    if (pos < len) this.extendPartial(chunk.subarray(pos));
  }

  /** Ends the input; returns the unterminated last line (the caller decides what it is), or null. */
  finish(): Pending | null {
    if (this.skipHead !== null) {
      const p = { lineNo: this.lineNo + 1, head: this.skipHead, bytes: this.skipBytes, tooLong: true };
      this.skipHead = null;
      this.skipBytes = 0;
      return p;
    }
    if (this.carryBytes === 0) return null;
    let head = this.carry.length === 1 ? this.carry[0]! : Buffer.concat(this.carry, this.carryBytes);
    if (head.length > 0 && head[head.length - 1] === 13) head = head.subarray(0, head.length - 1);
    const p = { lineNo: this.lineNo + 1, head, bytes: head.length, tooLong: false };
    this.carry = [];
    this.carryBytes = 0;
    return p;
  }

  /** Emits a pending last line through `onLine` / `onTooLong`, as if it had a newline. */
  flushPending(p: Pending): void {
    this.lineNo = p.lineNo;
    if (p.tooLong || p.bytes > this.opts.maxLineBytes) {
      this.opts.onTooLong(p.head.subarray(0, this.opts.headBytes), p.bytes, p.lineNo);
    } else {
      this.opts.onLine(p.head, 0, p.head.length, p.lineNo, classify(p.head));
    }
  }

  private extendPartial(part: Buffer): void {
    if (part.length === 0) return;
    this.lastByte = part[part.length - 1]!;
    if (this.skipHead !== null) {
      this.skipBytes += part.length;
      return;
    }
    // +1: a trailing `\r` that the next chunk's `\n` turns into a terminator is not line content.
    if (this.carryBytes + part.length > this.opts.maxLineBytes + 1) {
      const head = Buffer.concat([...this.carry, part.subarray(0, this.opts.headBytes)]);
      this.skipHead = Buffer.from(head.subarray(0, this.opts.headBytes));
      this.skipBytes = this.carryBytes + part.length;
      this.carry = [];
      this.carryBytes = 0;
      return;
    }
    // A small tail is copied so that it does not pin its whole (256 KiB) chunk in memory.
    this.carry.push(part.length < 4096 ? Buffer.from(part) : part);
    this.carryBytes += part.length;
  }

  /** Completes the line that spans into `chunk`, whose first newline is at `nl`. */
  private completePartial(chunk: Buffer, nl: number): void {
    const lineNo = ++this.lineNo;
    const cr = nl > 0 ? chunk[nl - 1] === 13 : this.lastByte === 13;
    const { maxLineBytes, headBytes, onLine, onTooLong } = this.opts;
    if (this.skipHead !== null) {
      const head = this.skipHead;
      const bytes = this.skipBytes + nl - (cr ? 1 : 0);
      this.skipHead = null;
      this.skipBytes = 0;
      onTooLong(head, bytes, lineNo);
      return;
    }
    const parts = this.carry;
    const total = this.carryBytes + nl - (cr ? 1 : 0);
    this.carry = [];
    this.carryBytes = 0;
    if (total > maxLineBytes) {
      const head = Buffer.concat([...parts, chunk.subarray(0, Math.min(nl, headBytes))]);
      onTooLong(Buffer.from(head.subarray(0, headBytes)), total, lineNo);
      return;
    }
    parts.push(chunk.subarray(0, nl));
    const line = Buffer.concat(parts, total);
    onLine(line, 0, total, lineNo, classify(line));
  }
}

function classify(bytes: Buffer): LineEncoding {
  return isAscii(bytes) ? ASCII : isUtf8(bytes) ? UTF8 : INVALID_UTF8;
}
