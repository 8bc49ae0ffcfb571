/**
 * Golden suites: loading `golden/*.yaml` (and case-per-file folders), validating them with
 * `file:line` errors, rendering vars into inputs, stable ids and the suite content hash.
 */
export { loadSuites, loadSuite, validateSuites, FOLDER_HEADER, type LoadResult, type LoadOptions } from './load.ts';
export { formatProblem, type SuiteProblem } from './problems.ts';
export { renderTemplate, hasTemplate, TemplateError } from './template.ts';
export { suiteContentHash } from './build.ts';
