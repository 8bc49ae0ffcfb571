import type { SectionRenderer } from '../types.ts';
import { costSection } from './cost.ts';
import { driftSection } from './drift.ts';
import { goldenSection } from './golden.ts';
import { judgeSection } from './judge.ts';
import { sloSection } from './slo.ts';

/**
 * The section renderers, one per pipeline section of `report.sections`. A pipeline that adds a
 * section adds its renderer here; until then its section shows as raw JSON.
 */
export const SECTION_RENDERERS: readonly SectionRenderer[] = [driftSection, judgeSection, goldenSection, sloSection, costSection];

/**
 * The renderer that draws a finding kind's charts, if any.
 *
 * @example
 * rendererForKind('drift.numeric')?.findingCharts?.(f, ctx);
 */
export function rendererForKind(kind: string): SectionRenderer | undefined {
  return SECTION_RENDERERS.find((r) => r.kinds?.some((k) => kind.startsWith(k)));
}
