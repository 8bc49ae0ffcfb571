import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { CLIENT_JS } from './client.ts';

/**
 * The scripts and styles inlined into every report page: uPlot (pinned in package.json, read
 * from node_modules once per process) and our chart script. Inlined, because a report must open
 * from a file, an S3 link or an email attachment with no network at all.
 */
export interface ReportAssets {
  readonly uplotJs: string;
  readonly uplotCss: string;
  readonly clientJs: string;
  /** The uPlot version inlined, shown in the page footer. */
  readonly uplotVersion: string;
}

let cached: ReportAssets | undefined;

/**
 * Loads (once) the assets every page inlines.
 *
 * @example
 * const { uplotJs } = reportAssets();
 */
export function reportAssets(): ReportAssets {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const read = (spec: string) => readFileSync(require.resolve(spec), 'utf8');
  const pkg = JSON.parse(read('uplot/package.json')) as { version: string };
  cached = {
    // `</script` cannot occur in the minified library; checked anyway, since the page would break.
    uplotJs: guard(read('uplot/dist/uPlot.iife.min.js'), 'uPlot'),
    uplotCss: read('uplot/dist/uPlot.min.css'),
    clientJs: guard(CLIENT_JS, 'client.ts'),
    uplotVersion: pkg.version,
  };
  return cached;
}

function guard(js: string, name: string): string {
  if (/<\/script/i.test(js)) throw new Error(`${name} contains "</script" and cannot be inlined`);
  return js;
}
