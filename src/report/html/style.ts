/** The page's stylesheet (system fonts only: no web fonts, nothing fetched). */
export const STYLE = `
:root { --fg: #212529; --muted: #6c757d; --line: #dee2e6; --crit: #c92a2a; --warn: #e8590c; --info: #1971c2; --ok: #2b8a3e; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--fg); background: #f8f9fa; }
main, header.top, footer { max-width: 1100px; margin: 0 auto; padding: 0 20px; }
header.top { padding-top: 18px; padding-bottom: 10px; border-bottom: 4px solid var(--muted); background: #fff; }
header.top.status-ok { border-color: var(--ok); } header.top.status-degraded { border-color: var(--warn); }
header.top.status-unmeasurable, header.top.status-failed { border-color: var(--crit); }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 26px 0 10px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 4px; color: #fff; background: var(--muted); font-size: 14px; vertical-align: 2px; }
.status-ok .badge { background: var(--ok); } .status-degraded .badge { background: var(--warn); }
.status-unmeasurable .badge, .status-failed .badge { background: var(--crit); }
.status-text, .note, .fp { color: var(--muted); margin: 4px 0; } .fp { font-size: 12px; }
.reasons { margin: 6px 0; padding-left: 20px; }
code { font: 12.5px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #f1f3f5; padding: 0 3px; border-radius: 3px; word-break: break-all; }
dl.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(230px, 1fr)); gap: 6px 18px; margin: 8px 0; }
dl.facts div { min-width: 0; } dt { color: var(--muted); font-size: 12px; } dd { margin: 0; overflow-wrap: anywhere; }
table { border-collapse: collapse; margin: 8px 0; font-size: 13px; background: #fff; }
th, td { border: 1px solid var(--line); padding: 3px 8px; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { background: #f1f3f5; font-weight: 600; white-space: nowrap; }
table.numbers td:nth-child(n+2) { text-align: right; font-variant-numeric: tabular-nums; }
.finding { background: #fff; border: 1px solid var(--line); border-left: 5px solid var(--muted); border-radius: 4px; padding: 10px 14px; margin: 14px 0; }
.finding.sev-critical { border-left-color: var(--crit); } .finding.sev-warning { border-left-color: var(--warn); } .finding.sev-info { border-left-color: var(--info); }
.finding:target { box-shadow: 0 0 0 3px #74c0fc; }
.finding header { font-size: 13px; } .finding .summary { font-size: 15px; font-weight: 600; margin: 6px 0; }
.sev { text-transform: uppercase; font-weight: 700; font-size: 12px; }
.sev-critical .sev { color: var(--crit); } .sev-warning .sev { color: var(--warn); } .sev-info .sev { color: var(--info); }
.state { font-size: 11px; border: 1px solid var(--line); border-radius: 8px; padding: 0 6px; }
a.anchor { color: var(--muted); text-decoration: none; }
ol.toc { padding-left: 22px; } ol.toc li { margin: 2px 0; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; }
figure.chart-box { margin: 6px 0; background: #fff; border: 1px solid var(--line); border-radius: 4px; padding: 6px 8px; flex: 1 1 520px; max-width: 740px; min-width: 300px; }
figure.chart-box figcaption { font-size: 12.5px; font-weight: 600; margin-bottom: 4px; overflow-wrap: anywhere; }
.chart { min-height: 240px; }
details summary { cursor: pointer; color: var(--info); margin: 6px 0; }
pre { background: #fff; border: 1px solid var(--line); padding: 8px; overflow: auto; max-height: 480px; font-size: 12px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
pre.cell { margin: 0; max-height: 160px; max-width: 320px; white-space: pre-wrap; font-size: 12px; border: 0; padding: 0; background: none; }
footer { color: var(--muted); font-size: 12px; padding-top: 20px; padding-bottom: 30px; }
`;
