/** The report's stylesheet, inlined in the page: system fonts only, nothing fetched. */
export const REPORT_CSS = `
:root {
  --bg: #f4f5f7; --card: #fff; --text: #1d2330; --muted: #5d6675; --line: #e1e4ea;
  --green: #1a7f37; --amber: #9a6700; --blue: #0969da; --red: #cf222e; --screen: #101319;
  color-scheme: light;
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body {
  margin: 0; background: var(--bg); color: var(--text);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
code, .address { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; }

.top { background: var(--card); border-bottom: 1px solid var(--line); padding: 20px 28px 16px; }
.top h1 { margin: 0; font-size: 20px; }
.sub { color: var(--muted); font-size: 13px; }
.stats { display: flex; flex-wrap: wrap; gap: 10px 32px; margin: 14px 0 0; }
.stats div { display: flex; flex-direction: column; }
.stats dt { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
.stats dd { margin: 0; font-size: 22px; font-weight: 600; font-variant-numeric: tabular-nums; }
.stats small { font-size: 13px; font-weight: 400; color: var(--muted); }
.dot { display: inline-block; width: 8px; height: 8px; border-radius: 50%; margin-right: 6px; vertical-align: 1px; }
.dot-generated { background: var(--green); }
.dot-pending { background: var(--amber); }
.dot-in-flight { background: var(--blue); }
.dot-failed { background: var(--red); }
.simulated-note { margin: 10px 0 0; padding: 6px 10px; border-radius: 6px; background: #f3e8ff; color: #6b21a8; font-size: 13px; }
.offline-note { display: none; margin: 10px 0 0; color: var(--red); font-size: 13px; }
.offline .offline-note { display: block; }

.filters {
  position: sticky; top: 0; z-index: 1; display: flex; flex-wrap: wrap; align-items: end; gap: 10px 14px;
  padding: 12px 28px; background: rgba(244, 245, 247, .96); border-bottom: 1px solid var(--line);
}
.filters label { display: flex; flex-direction: column; gap: 3px; font-size: 12px; color: var(--muted); }
.filters select, .filters input, .filters button {
  font: inherit; font-size: 14px; color: var(--text); background: #fff;
  border: 1px solid #c9ced6; border-radius: 6px; padding: 5px 8px;
}
.filters .search { flex: 1 1 240px; }
.filters button { cursor: pointer; }
.count { margin-left: auto; padding-bottom: 6px; color: var(--muted); font-size: 13px; }

.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); gap: 18px; padding: 20px 28px 40px; }
.card {
  display: flex; flex-direction: column; overflow: hidden; background: var(--card);
  border: 1px solid var(--line); border-radius: 10px; box-shadow: 0 1px 2px rgba(16, 24, 40, .05);
}
.media { display: grid; grid-template-columns: repeat(auto-fit, minmax(140px, 1fr)); gap: 2px; background: var(--screen); }
figure { margin: 0; }
video, figure > img, .placeholder { display: block; width: 100%; aspect-ratio: 16 / 9; background: var(--screen); object-fit: contain; }
figcaption { padding: 3px 8px 5px; font-size: 12px; color: #c9d1d9; font-variant-numeric: tabular-nums; }
.placeholder {
  display: flex; flex-direction: column; align-items: center; justify-content: center; gap: 2px; padding: 8px;
  color: #d0d7de; font-size: 14px; text-align: center;
  background: repeating-linear-gradient(135deg, #1b1f27 0 12px, #20252e 12px 24px);
}
.placeholder small { color: #9aa4b2; font-size: 12px; word-break: break-all; }

.body { display: flex; flex: 1; flex-direction: column; gap: 8px; padding: 14px 16px 16px; }
.head { display: flex; flex-wrap: wrap; align-items: start; justify-content: space-between; gap: 4px 8px; }
.address { margin: 0; font-size: 14px; font-weight: 600; overflow-wrap: break-word; min-width: 0; }
.badges { display: flex; flex-wrap: wrap; justify-content: end; gap: 6px; }
.badge { padding: 1px 8px; border-radius: 999px; font-size: 12px; font-weight: 600; white-space: nowrap; }
.status-generated { color: var(--green); background: #dafbe1; }
.status-pending { color: var(--amber); background: #fff8c5; }
.status-in-flight { color: var(--blue); background: #ddf4ff; }
.status-failed { color: var(--red); background: #ffebe9; }
.orphan { color: var(--muted); background: #eef0f3; }
.meta { display: flex; flex-wrap: wrap; gap: 2px 12px; margin: 0; font-size: 13px; color: var(--muted); }
.prompt { margin: 0; font-size: 14px; }
.negative { margin: 0; font-size: 13px; color: var(--muted); }
.error, .change { padding: 8px 10px; border-radius: 6px; font-size: 13px; }
.error { color: #82071e; background: #ffebe9; border: 1px solid #ffcecb; }
.error code { font-weight: 600; }
.change { color: #3b2e00; background: #fff8c5; border: 1px solid #eedc82; }
.change p { margin: 0; }
.change ul { margin: 6px 0 0; padding-left: 18px; }
.change del { background: #ffd7d5; }
.change ins { background: #ccffd8; text-decoration: none; }
.spent { margin-top: auto; font-size: 13px; color: var(--muted); font-variant-numeric: tabular-nums; }
.cost-unknown { margin: 2px 0 0; font-size: 12px; color: var(--amber); }
.description { margin: 0; font-size: 13px; font-style: italic; color: var(--muted); }
.keyframes { display: flex; gap: 6px; }
.keyframe { width: 96px; }
.keyframe img, .keyframe .placeholder { display: block; width: 96px; aspect-ratio: 16 / 9; object-fit: cover; border-radius: 4px; font-size: 10px; }
.keyframe figcaption { padding: 1px 0 0; color: var(--muted); font-size: 11px; }
.fanout { grid-column: 1 / -1; }
.fanout-title { margin: 4px 0 8px; font-size: 16px; }
.fanout-title small { font-weight: 400; color: var(--muted); font-size: 13px; }
.fanout-scroll { overflow-x: auto; }
.fanout-grid { border-collapse: separate; border-spacing: 10px 0; margin-left: -10px; }
.fanout-grid th { padding: 4px; font-size: 13px; color: var(--muted); text-align: left; white-space: nowrap; }
.fanout-grid td { vertical-align: top; min-width: 300px; max-width: 380px; padding-bottom: 12px; }
.fanout-grid .card { height: 100%; }
.takes { display: flex; gap: 2px; overflow-x: auto; }
.take { flex: 1 1 0; display: flex; flex-direction: column; min-width: 140px; border-top: 3px solid transparent; }
.takes.several .take.picked { border-top-color: #2da44e; background: #14261b; }
.take-head { display: flex; flex-direction: column; align-items: start; justify-content: space-between; gap: 2px 8px; padding: 4px 8px; font-size: 12px; color: #c9d1d9; font-variant-numeric: tabular-nums; }
.variants { display: grid; grid-auto-flow: column; grid-auto-columns: minmax(140px, 1fr); gap: 2px; }
.picked-mark { color: #4ac26b; font-weight: 600; }
.pick { font: inherit; font-size: 12px; padding: 1px 8px; border: 1px solid #8b949e; border-radius: 5px; background: #21262d; color: #f0f6fc; cursor: pointer; }
.pick:disabled { opacity: .5; cursor: wait; }
.pick-cmd { font-size: 11px; color: #e6edf3; background: #2d333b; padding: 1px 5px; border-radius: 4px; user-select: all; overflow-wrap: anywhere; }
.pick-status { margin: 10px 0 0; padding: 6px 10px; border-radius: 6px; background: #dafbe1; color: #1a7f37; font-size: 13px; }
.pick-status.failed { background: #ffebe9; color: var(--red); }
.pick-status .dismiss { float: right; margin-left: 8px; padding: 0 4px; border: 0; background: none; color: inherit; font: inherit; line-height: 1; cursor: pointer; }
.empty { padding: 40px; text-align: center; color: var(--muted); }

.sequences { padding: 16px 28px 4px; }
.sequences-title { margin: 0 0 10px; font-size: 16px; }
.sequences-title small { font-weight: 400; color: var(--muted); font-size: 13px; }
.sequence-list { display: grid; grid-template-columns: repeat(auto-fill, minmax(340px, 1fr)); gap: 16px; }
.sequence { background: var(--card); border: 1px solid var(--line); border-radius: 10px; overflow: hidden; }
.sequence video { display: block; width: 100%; background: var(--screen); }
.sequence .body { padding: 10px 14px 12px; }
.sequence-name { margin: 0; font-size: 15px; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; }
.sequence-reason { margin: 4px 0; color: var(--amber); font-size: 13px; }
.members { margin: 6px 0 0; padding-left: 22px; font-size: 13px; }
.sequence-no-op { color: var(--green); }
.sequence-cut, .sequence-wait { color: var(--amber); }
`;
