/** The console's style sheet: one restrained palette, readable type, tables that narrow gracefully. */
export const consoleStyles = `
:root {
  --ink: #1f2933; --muted: #52606d; --line: #d9e2ec; --paper: #ffffff; --wash: #f5f7fa;
  --accent: #1f4e99; --accent-ink: #ffffff; --danger: #a61b1b; --ok: #186a3b; --warn: #8a5a00;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 15px; line-height: 1.5; color: var(--ink); background: var(--wash);
}
* { box-sizing: border-box; }
body { margin: 0; min-height: 100vh; display: grid; grid-template-rows: auto 1fr; grid-template-columns: 13rem 1fr;
  grid-template-areas: "top top" "nav main"; }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible {
  outline: 3px solid #7aa7e6; outline-offset: 1px; }
.topbar { grid-area: top; display: flex; align-items: center; gap: 1rem; padding: 0.6rem 1.25rem;
  background: #102a43; color: #f0f4f8; }
.topbar .product { font-weight: 700; font-size: 1.1rem; color: #f0f4f8; text-decoration: none; letter-spacing: 0.02em; }
.topbar .who { margin-left: auto; display: flex; align-items: center; gap: 0.75rem; font-size: 0.9rem; }
.topbar .roles { color: #bcccdc; }
.topbar form { margin: 0; }
.topbar button { background: transparent; color: #f0f4f8; border: 1px solid #829ab1; }
.topbar button:hover { background: #243b53; }
nav.side { grid-area: nav; background: var(--paper); border-right: 1px solid var(--line); padding: 1rem 0.5rem; }
nav.side ul { list-style: none; margin: 0; padding: 0; }
nav.side li ul { padding-left: 0.9rem; }
nav.side a { display: block; padding: 0.3rem 0.75rem; border-radius: 4px; color: var(--ink); text-decoration: none; }
nav.side a:hover { background: var(--wash); }
nav.side a[aria-current="page"] { background: #dce8f8; color: #0b3470; font-weight: 600; }
nav.side .group { display: block; padding: 0.3rem 0.75rem; color: var(--muted); font-size: 0.8rem;
  text-transform: uppercase; letter-spacing: 0.06em; margin-top: 0.4rem; }
main { grid-area: main; padding: 1.5rem 2rem 3rem; max-width: 78rem; min-width: 0; }
h1 { font-size: 1.5rem; margin: 0 0 1rem; }
h2 { font-size: 1.15rem; margin: 1.75rem 0 0.6rem; }
p.lead { color: var(--muted); margin-top: -0.5rem; }
section.card { background: var(--paper); border: 1px solid var(--line); border-radius: 6px; padding: 1rem 1.25rem; margin-bottom: 1.25rem; }
section.card > h2:first-child { margin-top: 0; }
.table-wrap { margin-bottom: 1.25rem; overflow-x: auto; background: var(--paper); border: 1px solid var(--line); border-radius: 6px; }
table { border-collapse: collapse; width: 100%; font-size: 0.92rem; }
th, td { text-align: left; padding: 0.5rem 0.75rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #f0f4f8; font-weight: 600; color: #334e68; white-space: nowrap; }
tr:last-child td { border-bottom: none; }
td.wrap { word-break: break-word; min-width: 12rem; }
td code, p code, dd code { font-size: 0.85rem; }
.empty { color: var(--muted); font-style: italic; margin: 0.5rem 0; }
.badge { display: inline-block; padding: 0.05rem 0.55rem; border-radius: 999px; font-size: 0.8rem; font-weight: 600;
  border: 1px solid transparent; white-space: nowrap; }
.badge-pending { background: #fff4d6; color: #6b4500; border-color: #e8c66f; }
.badge-approved { background: #e3ecfb; color: #0b3470; border-color: #9db8e6; }
.badge-active { background: #e0f4e8; color: #0f5130; border-color: #89c9a3; }
.badge-ended { background: #eef1f4; color: #3e4c59; border-color: #c3ccd5; }
.badge-refused { background: #fbe5e5; color: #7a1212; border-color: #e3a1a1; }
.badge-risk { background: #fbe5e5; color: #7a1212; border-color: #e3a1a1; }
.badge-medium { background: #fff4d6; color: #6b4500; border-color: #e8c66f; }
.badge-low { background: #eef1f4; color: #3e4c59; border-color: #c3ccd5; }
.badge-critical { background: #7a1212; color: #fff; border-color: #7a1212; }
.badge-high { background: #fbe5e5; color: #7a1212; border-color: #e3a1a1; }
td .badge + .badge { margin-left: 0.3rem; }
ul.indicators { list-style: none; padding: 0; margin: 0 0 1rem; }
ul.indicators li { padding: 0.5rem 0; border-bottom: 1px solid #e3e8ee; }
ul.indicators blockquote { margin: 0.4rem 0; padding: 0.4rem 0.6rem; background: #f6f8fa; border-left: 3px solid #c3ccd5; overflow-wrap: anywhere; white-space: pre-wrap; }
figure.chart { margin: 0 0 1rem; }
figure.chart svg { width: 100%; height: auto; max-height: 12rem; display: block; }
figure.chart .axis { stroke: #9aa5b1; stroke-width: 1; }
figure.chart .tick { font-size: 11px; fill: var(--muted); }
figure.chart a:hover rect, figure.chart a:focus rect { opacity: 0.75; }
figure.chart figcaption { font-size: 0.85rem; display: flex; flex-wrap: wrap; gap: 0.25rem 0.9rem; align-items: center; }
.bar-files, .swatch-files { fill: #1f4e99; background: #1f4e99; }
.bar-processes, .swatch-processes { fill: #b35c00; background: #b35c00; }
.bar-logs, .swatch-logs { fill: #2f8f5b; background: #2f8f5b; }
.legend { display: inline-flex; gap: 0.3rem; align-items: center; }
.swatch { display: inline-block; width: 0.8rem; height: 0.8rem; border-radius: 2px; }
ul.process-tree { list-style: none; margin: 0; padding-left: 1.1rem; border-left: 1px dashed #c3ccd5; }
section > ul.process-tree { border-left: none; padding-left: 0; }
ul.process-tree .process { padding: 0.2rem 0.3rem; display: flex; flex-wrap: wrap; gap: 0.2rem 0.5rem; align-items: baseline; border-radius: 4px; }
ul.process-tree .pid { font-variant-numeric: tabular-nums; color: var(--muted); min-width: 3ch; text-align: right; }
ul.process-tree .process-meta { color: var(--muted); font-size: 0.85rem; overflow-wrap: anywhere; }
ul.process-tree .flagged-critical, ul.process-tree .flagged-high { background: #fdf0f0; }
ul.process-tree .flagged-medium { background: #fff8e6; }
nav.pager { display: flex; gap: 1rem; align-items: center; margin: 0.5rem 0 1rem; }
div.stack { display: grid; gap: 0.75rem; max-width: 48rem; margin-top: 1rem; }
ul.risks { list-style: none; padding: 0; margin: 0.5rem 0; display: grid; gap: 0.35rem; }
ol.steps { padding-left: 1.25rem; margin: 0; }
ol.steps li { margin-bottom: 0.75rem; }
ol.steps li p { margin: 0.2rem 0; }
.preview p { margin: 0.3rem 0; }
form.stack { display: grid; gap: 0.9rem; max-width: 36rem; }
.field { display: grid; gap: 0.25rem; }
.field label, .field .label { font-weight: 600; }
.field .hint, p.hint { color: var(--muted); font-size: 0.85rem; }
.inline-form p.hint { flex-basis: 100%; margin: 0; }
.field .error { color: var(--danger); font-size: 0.9rem; font-weight: 600; }
.field [aria-invalid="true"] { border-color: var(--danger); }
input[type="text"], input[type="search"], input[type="datetime-local"], input[type="file"], select, textarea {
  font: inherit; padding: 0.4rem 0.55rem; border: 1px solid #9aa5b1; border-radius: 4px; background: var(--paper); color: var(--ink); max-width: 100%; }
textarea { min-height: 5rem; width: 100%; }
textarea.code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.85rem; min-height: 16rem; }
button, .button { font: inherit; font-weight: 600; padding: 0.4rem 0.9rem; border-radius: 4px; border: 1px solid var(--accent);
  background: var(--accent); color: var(--accent-ink); cursor: pointer; text-decoration: none; display: inline-block; }
button.secondary, .button.secondary { background: var(--paper); color: var(--accent); }
button.danger { background: var(--danger); border-color: var(--danger); }
.actions { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: flex-end; }
.actions form { display: flex; gap: 0.5rem; align-items: flex-end; margin: 0; flex-wrap: wrap; }
.inline-form { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: flex-end; margin-bottom: 1rem; }
.notice { border-left: 4px solid var(--accent); background: #eef4fc; padding: 0.6rem 0.9rem; margin: 0 0 1rem; border-radius: 0 4px 4px 0; }
.notice.error { border-color: var(--danger); background: #fdf0f0; }
.notice.ok { border-color: var(--ok); background: #eef8f2; }
.notice p { margin: 0.2rem 0; }
time { white-space: nowrap; }
td.nowrap { white-space: nowrap; }
details summary { cursor: pointer; }
details pre { margin: 0.4rem 0 0; white-space: pre-wrap; word-break: break-word; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.35rem 1.25rem; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; word-break: break-word; }
.risks .hint { overflow-wrap: anywhere; }
pre { background: #f0f4f8; border: 1px solid var(--line); border-radius: 4px; padding: 0.75rem; overflow-x: auto; font-size: 0.85rem; }
.countdown { font-variant-numeric: tabular-nums; font-weight: 600; }
nav.trail ol { list-style: none; display: flex; flex-wrap: wrap; gap: 0.3rem; padding: 0; margin: 0 0 1rem; }
nav.trail li + li::before { content: "›"; color: var(--muted); margin-right: 0.3rem; }
nav.trail a[aria-current="page"] { color: var(--ink); font-weight: 600; text-decoration: none; }
p.switch a { font-weight: 600; }
.hidden-list ul { margin: 0.25rem 0 0.5rem; padding-left: 1.25rem; }
ul.methods { list-style: none; padding: 0; margin: 0 0 1rem; }
ul.methods li.method { padding: 0.6rem 0; border-bottom: 1px solid #e3e8ee; }
ul.methods li.method p { margin: 0.2rem 0; }
ul.methods .notice ul { margin: 0.2rem 0; }
fieldset { border: 1px solid var(--line); border-radius: 4px; padding: 0.5rem 0.9rem; margin: 0; }
legend { font-weight: 600; padding: 0 0.3rem; }
section.result h2 code { font-size: 1rem; }
.counts { display: inline-flex; flex-wrap: wrap; gap: 0.3rem; }
body.plain { display: block; }
.login { display: grid; place-items: center; min-height: 100vh; max-width: none; padding: 1rem; }
.login section { max-width: 26rem; width: 100%; text-align: center; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.muted { color: var(--muted); }
.warn-text { color: var(--danger); }
ul.plain { list-style: none; padding: 0; margin: 0; }
ul.plain li + li { margin-top: 0.2rem; }
p.links { margin: 0 0 0.75rem; }
.field.checkbox { display: flex; gap: 0.4rem; align-items: center; align-self: center; }
td.grant-path code { overflow-wrap: anywhere; }
tr.added td:first-child { border-left: 4px solid var(--ok); }
tr.removed td:first-child { border-left: 4px solid var(--danger); }
form.campaign-form { max-width: 44rem; }
form.campaign-form > fieldset { display: grid; gap: 0.8rem; padding: 0.6rem 1rem 0.9rem; }
fieldset.choices { border: none; padding: 0; display: grid; gap: 0.3rem; }
fieldset.choices legend { padding: 0; margin-bottom: 0.2rem; }
label.check { display: flex; gap: 0.45rem; align-items: baseline; font-weight: normal; }
.checks { display: flex; flex-wrap: wrap; gap: 0.3rem 1.2rem; }
ul.latest-runs { margin: 0; padding-left: 1.1rem; }
figure.access-picture { margin: 0; }
figure.access-picture svg { display: block; width: 100%; height: auto; }
figure.access-picture figcaption { color: var(--muted); font-size: 0.85rem; margin-top: 0.5rem; }
@media (max-width: 900px) {
  body { grid-template-columns: 1fr; grid-template-rows: auto auto 1fr; grid-template-areas: "top" "nav" "main"; }
  nav.side { border-right: none; border-bottom: 1px solid var(--line); padding: 0.4rem; }
  nav.side ul { display: flex; flex-wrap: wrap; gap: 0.2rem; }
  nav.side li ul { padding-left: 0; }
  nav.side .group { display: none; }
  main { padding: 1rem; }
  .topbar .roles { display: none; }
}
`;
