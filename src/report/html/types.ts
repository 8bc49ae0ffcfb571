import type { Finding, RunReport } from '../types.ts';
import type { ChartRegistry } from './charts.ts';

/** What a section or finding renderer gets: the whole report and the page's chart registry. */
export interface RenderContext {
  readonly report: RunReport;
  readonly charts: ChartRegistry;
}

/**
 * Renders one pipeline's part of the page. Each pipeline has its own small file under
 * `sections/`; a report section without a renderer is shown as collapsed JSON.
 */
export interface SectionRenderer {
  /** Key in `report.sections` (`drift`, `judge`, `golden`, `slo`, `cost`). */
  readonly section: string;
  /** Heading of the section on the page. */
  readonly title: string;
  /** HTML of the section body; every string from the report escaped. */
  render(section: unknown, ctx: RenderContext): string;
  /** Charts for one finding of this pipeline's kinds (`''` when none applies). */
  findingCharts?(finding: Finding, ctx: RenderContext): string;
  /** Finding kinds (prefixes such as `drift.`) whose charts this renderer draws. */
  readonly kinds?: readonly string[];
}
