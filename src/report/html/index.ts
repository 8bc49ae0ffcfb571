/** HTML run reports: one self-contained page per run (`report.html` beside `report.json`). */
export { renderReportHtml, type RenderHtmlOptions } from './page.ts';
export { findingAnchor } from './anchor.ts';
export { writeReportHtml, htmlKeyFor } from './write.ts';
