import { captureRecordSchema, deriveRecord, type ReadRecord } from '../../src/captures/record.ts';
import { emptyCost, emptyHour, type CostCell } from '../../src/slo/cells.ts';
import type { HourSummary } from '../../src/slo/history.ts';

/** A valid ReadRecord with sensible defaults. */
export function rec(fields: Record<string, unknown> = {}): ReadRecord {
  return deriveRecord(captureRecordSchema.parse({ request_id: 'r-1', timestamp: '2026-03-02T14:10:00Z', route: 'answer', ...fields }));
}

/** A cost cell of `requests` calls with fixed tokens per request and list prices (USD per token). */
export function cell(o: { requests: number; inTok: number; outTok: number; pIn: number; pOut: number }): CostCell {
  const c = emptyCost();
  const cpr = o.inTok * o.pIn + o.outTok * o.pOut;
  c.rows = c.priced = c.fromTable = o.requests;
  c.w = c.pw = c.pw2 = c.tokW = o.requests;
  c.usd = o.requests * cpr;
  c.inTok = o.requests * o.inTok;
  c.outTok = o.requests * o.outTok;
  c.listIn = o.requests * o.inTok * o.pIn;
  c.listOut = o.requests * o.outTok * o.pOut;
  return c;
}

/** An hour summary with the given route cells. */
export function summary(start: number, routes: Record<string, CostCell>): HourSummary {
  const { dims: _d, ...s } = emptyHour(start);
  return { ...s, objects: 1, routes };
}
