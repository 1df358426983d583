/** The console page's style sheet (inline: the page loads nothing else). */
export const CONSOLE_STYLE = `
:root {
  --bg: #0f1419; --panel: #161c24; --panel2: #1c2430; --line: #2a3441; --text: #e6edf3; --muted: #8b98a8;
  --accent: #58a6ff; --ok: #3fb950; --bad: #f85149; --warn: #d29922; --comp: #bc8cff; --run: #58a6ff;
  font: 13px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color-scheme: dark;
}
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; background: var(--bg); color: var(--text); overflow: hidden; }
header { height: 46px; display: flex; align-items: center; gap: 14px; padding: 0 16px;
  border-bottom: 1px solid var(--line); background: var(--panel); }
header h1 { font-size: 15px; margin: 0; font-weight: 600; letter-spacing: .2px; }
header h1 span { color: var(--muted); font-weight: 400; }
header .stats { display: flex; gap: 8px; margin-left: 8px; }
header .spacer { flex: 1; }
.live { display: flex; align-items: center; gap: 6px; color: var(--muted); font-size: 12px; }
.live i { width: 8px; height: 8px; border-radius: 50%; background: var(--muted); display: inline-block; }
.live.on i { background: var(--ok); box-shadow: 0 0 0 3px rgba(63,185,80,.2); }
.live.off i { background: var(--bad); }
main { position: absolute; top: 46px; left: 0; right: 0; bottom: 0; display: flex; }
#canvas { flex: 1; position: relative; overflow: hidden; cursor: grab;
  background-image: radial-gradient(circle, #1d2631 1px, transparent 1px); background-size: 22px 22px; }
#canvas.dragging { cursor: grabbing; }
#canvas svg { position: absolute; inset: 0; width: 100%; height: 100%; }
.tools { position: absolute; left: 12px; bottom: 12px; display: flex; gap: 6px; }
.legend { position: absolute; left: 12px; top: 12px; display: flex; flex-wrap: wrap; gap: 10px; max-width: 70%;
  font-size: 11px; color: var(--muted); background: rgba(22,28,36,.85); border: 1px solid var(--line);
  border-radius: 8px; padding: 6px 10px; }
.legend b { display: inline-block; width: 10px; height: 10px; border-radius: 3px; margin-right: 4px; vertical-align: -1px; }
aside { width: 440px; border-left: 1px solid var(--line); background: var(--panel); display: flex; flex-direction: column; }
aside .head { padding: 14px 16px 10px; border-bottom: 1px solid var(--line); }
aside .head .kind { font-size: 11px; text-transform: uppercase; letter-spacing: .8px; color: var(--muted); }
aside .head h2 { margin: 2px 0 0; font-size: 16px; word-break: break-all; }
aside .head .sub { color: var(--muted); font-size: 12px; word-break: break-all; margin-top: 2px; }
aside .body { flex: 1; overflow: auto; padding: 12px 16px 24px; }
aside h3 { font-size: 12px; text-transform: uppercase; letter-spacing: .7px; color: var(--muted); margin: 18px 0 8px; font-weight: 600; }
aside h3:first-child { margin-top: 4px; }
.grid { display: grid; grid-template-columns: repeat(3, 1fr); gap: 8px; }
.stat { background: var(--panel2); border: 1px solid var(--line); border-radius: 8px; padding: 8px 10px; }
.stat .v { font-size: 20px; font-weight: 600; font-variant-numeric: tabular-nums; }
.stat .l { color: var(--muted); font-size: 11px; }
.stat.bad .v { color: var(--bad); } .stat.ok .v { color: var(--ok); } .stat.warn .v { color: var(--warn); }
button { background: var(--panel2); color: var(--text); border: 1px solid var(--line); border-radius: 6px;
  padding: 5px 11px; font: inherit; cursor: pointer; }
button:hover { border-color: var(--accent); }
button.primary { background: #1f6feb; border-color: #1f6feb; color: #fff; }
button.primary:hover { background: #388bfd; }
button.danger { background: #8e1519; border-color: #b62324; color: #fff; }
button:disabled { opacity: .5; cursor: default; }
.row { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; margin: 8px 0; }
.pill { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 11px; font-weight: 600;
  background: #263040; color: var(--text); white-space: nowrap; }
.pill.ok { background: rgba(63,185,80,.18); color: #56d364; }
.pill.bad { background: rgba(248,81,73,.18); color: #ff7b72; }
.pill.warn { background: rgba(210,153,34,.18); color: #e3b341; }
.pill.run { background: rgba(88,166,255,.18); color: #79c0ff; }
.pill.comp { background: rgba(188,140,255,.18); color: #d2a8ff; }
.list { display: flex; flex-direction: column; gap: 6px; }
.item { background: var(--panel2); border: 1px solid var(--line); border-radius: 8px; padding: 8px 10px; }
.item.click { cursor: pointer; } .item.click:hover { border-color: var(--accent); }
.item .top { display: flex; gap: 8px; align-items: center; justify-content: space-between; }
.item .name { font-weight: 600; word-break: break-all; }
.item .meta { color: var(--muted); font-size: 11px; }
pre { background: #0b1016; border: 1px solid var(--line); border-radius: 6px; padding: 8px; margin: 6px 0 0;
  font: 11.5px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; white-space: pre-wrap;
  word-break: break-word; max-height: 260px; overflow: auto; color: #c9d1d9; }
table { width: 100%; border-collapse: collapse; font-size: 12px; }
th, td { text-align: left; padding: 5px 6px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; font-size: 11px; }
td code { font: 11px ui-monospace, Menlo, monospace; word-break: break-all; }
.kv { display: grid; grid-template-columns: 130px 1fr; gap: 4px 10px; font-size: 12px; }
.kv div:nth-child(odd) { color: var(--muted); }
.kv div:nth-child(even) { word-break: break-all; }
.empty { color: var(--muted); font-style: italic; padding: 6px 0; }
.toast { position: fixed; bottom: 18px; left: 50%; transform: translateX(-50%); background: #1f6feb; color: #fff;
  padding: 8px 14px; border-radius: 8px; box-shadow: 0 6px 24px rgba(0,0,0,.4); font-weight: 500; z-index: 10;
  transition: opacity .3s; }
.toast.err { background: #b62324; }
.back { color: var(--accent); cursor: pointer; font-size: 12px; margin-bottom: 4px; display: inline-block; }
.sm { overflow: auto; background: #0b1016; border: 1px solid var(--line); border-radius: 8px; padding: 4px; }
/* The graph */
.node rect.box { fill: #1a2230; stroke: #334155; stroke-width: 1; rx: 9; transition: stroke .2s; }
.node:hover rect.box { stroke: #58a6ff; }
.node.selected rect.box { stroke: #58a6ff; stroke-width: 2; }
.node { cursor: pointer; }
.node .stripe { rx: 2; }
.node text.kind { fill: #8b98a8; font-size: 9px; letter-spacing: .8px; text-transform: uppercase; font-weight: 600; }
.node text.label { fill: #e6edf3; font-size: 12px; font-weight: 600; }
.node.dlq rect.box { fill: #2a1619; stroke: #6e2a2d; }
.node.pulse rect.box { animation: pulse 1s ease-out; }
@keyframes pulse { 0% { stroke: #ffd33d; stroke-width: 3; } 100% { stroke: #334155; stroke-width: 1; } }
.badge rect { rx: 8; }
.badge text { font-size: 10px; font-weight: 700; fill: #0f1419; }
.group rect { fill: rgba(88,166,255,.03); stroke: #2a3441; stroke-dasharray: 4 4; rx: 12; }
.group text { fill: #8b98a8; font-size: 12px; font-weight: 600; }
.edge path { fill: none; stroke: #4b5868; stroke-width: 1.4; }
.edge.dead-letter path, .edge.on-failure path { stroke: #f85149; stroke-dasharray: 5 4; }
.edge.writes path, .edge.reads path { stroke: #3b4654; }
.edge.cross path { stroke: #a371f7; }
.edge text { fill: #8b98a8; font-size: 10px; }
/* The state machine graph */
.state rect { fill: #1a2230; stroke: #3a4656; rx: 8; }
.state text { fill: #e6edf3; font-size: 11.5px; font-weight: 600; }
.state text.t { fill: #8b98a8; font-size: 9px; font-weight: 600; letter-spacing: .6px; text-transform: uppercase; }
.state.succeeded rect { fill: rgba(63,185,80,.16); stroke: #3fb950; }
.state.failed rect { fill: rgba(248,81,73,.16); stroke: #f85149; }
.state.caught rect { fill: rgba(210,153,34,.16); stroke: #d29922; }
.state.running rect { fill: rgba(88,166,255,.16); stroke: #58a6ff; animation: run 1.2s infinite; }
.state.comp rect { stroke: #bc8cff; stroke-width: 2; stroke-dasharray: 5 3; }
@keyframes run { 50% { stroke-width: 3; } }
.sedge path { fill: none; stroke: #3a4656; stroke-width: 1.3; }
.sedge.catch path { stroke-dasharray: 4 3; stroke: #6e4f1a; }
.sedge.taken path { stroke: #c9d1d9; stroke-width: 2.2; }
.sedge.taken.catch path { stroke: #d29922; }
`;
