/**
 * The results store (DESIGN §4): the same key layout on a local folder or an S3 bucket/prefix.
 * Keys are `/`-separated and relative to the store root, e.g. `runs/2026-11-23/<run-id>/report.json`.
 */
export interface ResultsStore {
  /** Human description without secrets: `file:///…` or `s3://bucket/prefix`. */
  describe(): string;
  /** Writes atomically: readers see the old object or the new one, never a partial one. */
  put(key: string, body: string | Uint8Array, options?: PutOptions): Promise<void>;
  /**
   * Writes only if no object exists at `key`; resolves `false` when one did. Used for durable
   * run records and dedup markers. On S3 this is a conditional PUT (`If-None-Match: *`).
   */
  putIfAbsent(key: string, body: string | Uint8Array, options?: PutOptions): Promise<boolean>;
  /** Reads an object; `null` when it does not exist. */
  get(key: string): Promise<Uint8Array | null>;
  /** Every key under a prefix, in lexicographic order. */
  list(prefix: string): AsyncIterable<string>;
  /** Deletes an object; no error when it is absent. */
  delete(key: string): Promise<void>;
  /** A link a person can open for this key (a file path, or an s3:// URL). */
  locate(key: string): string;
  /** Checks that the store is reachable and writable, for `doctor` / readiness. */
  check(): Promise<void>;
  /**
   * A time-limited HTTPS URL that opens the object without credentials (S3 presigned GET), for
   * links in alerts. Absent on stores that cannot make one (the fs store: use `locate`).
   */
  presign?(key: string, expiresInSeconds: number): Promise<string>;
}

export interface PutOptions {
  /** MIME type; defaults from the key's extension. */
  readonly contentType?: string;
  /**
   * Whether the write must survive a crash of the machine once it resolves. `false` is for scratch
   * objects a run can lose: the fs store then skips its fsyncs. A lost partial (between a unit
   * and its merge) fails its group with an error naming the key; lost prepared bytes cost the
   * finalize the prepare work. Never a wrong report. Default: true.
   */
  readonly durable?: boolean;
}
