/**
 * Why an input line or object was not turned into a record. Each reason is counted per run and
 * every rejected line is written with its reason to `quarantine/` in the results store.
 */
export const rejectReasons = [
  /** The line is not valid JSON (including a JSON value that is not an object). */
  'invalid_json',
  /** The line is JSON but fails the capture schema: a wrong type or a missing required field. */
  'schema_invalid',
  /** The line is longer than `captures.maxLineBytes`. Only its head is quarantined. */
  'line_too_long',
  /** The line is not valid UTF-8. */
  'invalid_utf8',
  /** The gzip stream ended early or is corrupt; lines before the damage were read. */
  'truncated_gzip',
  /** The object was listed but was gone when read. */
  'object_missing',
  /** The object has no bytes or only blank lines. */
  'empty_object',
  /** Reading the object failed for another reason (network, permissions); the error is kept. */
  'read_error',
] as const;

export type RejectReason = (typeof rejectReasons)[number];

/** Counts a run reports about its input (DESIGN §4 "input counts"). Mergeable by addition. */
export interface IngestCounts {
  /** Objects listed in the window. */
  objects: number;
  /** Objects fully read (possibly with rejected lines). */
  objectsRead: number;
  /** Valid records read. */
  records: number;
  /** Valid records that estimate the population (random sample or no reason). */
  populationRecords: number;
  /** Sum of 1/sample_rate over population records: the estimated number of calls. */
  estimatedCalls: number;
  /** Lines or objects rejected, by reason. */
  rejected: Partial<Record<RejectReason, number>>;
  /** Rejected lines written to quarantine. */
  quarantined: number;
  /** Uncompressed bytes read. */
  bytes: number;
}

/**
 * An empty set of counts.
 *
 * @example
 * const total = mergeIngestCounts(emptyIngestCounts(), partA, partB);
 */
export function emptyIngestCounts(): IngestCounts {
  return {
    objects: 0,
    objectsRead: 0,
    records: 0,
    populationRecords: 0,
    estimatedCalls: 0,
    rejected: {},
    quarantined: 0,
    bytes: 0,
  };
}

/**
 * Adds counts together; the inputs are not modified.
 *
 * @example
 * mergeIngestCounts(a, b).records === a.records + b.records;
 */
export function mergeIngestCounts(...parts: IngestCounts[]): IngestCounts {
  const out = emptyIngestCounts();
  for (const p of parts) {
    out.objects += p.objects;
    out.objectsRead += p.objectsRead;
    out.records += p.records;
    out.populationRecords += p.populationRecords;
    out.estimatedCalls += p.estimatedCalls;
    out.quarantined += p.quarantined;
    out.bytes += p.bytes;
    for (const [reason, n] of Object.entries(p.rejected) as [RejectReason, number][]) {
      out.rejected[reason] = (out.rejected[reason] ?? 0) + n;
    }
  }
  return out;
}

/** Total of rejected lines and objects over every reason. */
export function totalRejected(counts: IngestCounts): number {
  let n = 0;
  for (const v of Object.values(counts.rejected)) n += v ?? 0;
  return n;
}
