"""The daemon's web dashboard: one static page that polls the JSON API.

It lists the jobs (state, progress, best value) and draws the selected job's
best-versus-evaluations curve as SVG, its top candidates and the lineage of its best
candidate. Candidates arrive as HTML fragments the server rendered and escaped
(`discovery.depict`) and are the only HTML the page inserts; everything else from the API
(names, metric names, states, numbers) is set with ``textContent`` or as SVG attributes on
elements the script builds, never parsed as HTML, so a task whose metric is named
``<img src=x onerror=...>`` shows those characters. No build step, no third-party scripts.
A token, when
the API needs one, is read from the page's fragment (``/#token=...``), which browsers never
send to the server; ``#job=ID`` opens with that job's curve.
"""

DASHBOARD_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>discovery daemon</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; } td, th { padding: 4px 10px; border-bottom: 1px solid #ddd; }
tr.job { cursor: pointer; } tr.job:hover { background: #f4f4f4; }
.bar { width: 120px; height: 8px; background: #eee; } .bar div { height: 8px; background: #4a8; }
#curve { margin-top: 1.5em; } polyline { fill: none; stroke: #36c; stroke-width: 2; }
.card { border: 1px solid #ddd; margin: 0.5em 0; padding: 0.5em; max-width: 900px; }
.card .metrics { color: #555; } pre.candidate { white-space: pre-wrap; margin: 0.3em 0; }
</style></head>
<body>
<h1>discovery daemon</h1>
<table id="jobs"><thead><tr><th>job</th><th>name</th><th>state</th><th>progress</th>
<th>evaluations</th><th>best</th></tr></thead><tbody></tbody></table>
<div id="curve"><h2 id="curve-title">select a job</h2>
<svg id="plot" width="640" height="320" viewBox="0 0 640 320"></svg></div>
<h2>top candidates</h2><div id="top"></div>
<h2>lineage of the best (newest first)</h2><div id="lineage"></div>
<script>
const fragment = new URLSearchParams(location.hash.slice(1));
const token = fragment.get("token");
const headers = token ? {Authorization: "Bearer " + token} : {};
let selected = fragment.get("job");
async function api(path) {
  const response = await fetch("/api" + path, {headers});
  if (!response.ok) throw new Error(path + ": " + response.status);
  return response.json();
}
function element(tag, text, attributes) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = String(text);
  for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
  return node;
}
function card(candidate, label) {
  const div = document.createElement("div");
  div.className = "card"; div.dataset.hash = candidate.hash;
  const head = document.createElement("div");
  head.className = "metrics";
  const metrics = Object.entries(candidate.metrics)
    .map(([name, value]) => name + " = " + Number(value).toPrecision(6)).join(", ");
  head.textContent = `${label} #${candidate.n} (${candidate.proposer || "seed"}): ${metrics}`;
  const body = document.createElement("div");
  body.innerHTML = candidate.html;  // rendered and escaped by the server
  div.append(head, body);
  return div;
}
async function drawCandidates() {
  const [top, family] = await Promise.all(
    [api("/jobs/" + selected + "/top?k=5"), api("/jobs/" + selected + "/lineage")]);
  document.getElementById("top").replaceChildren(
    ...top.top.map((c, i) => card(c, "rank " + (i + 1))));
  document.getElementById("lineage").replaceChildren(
    ...family.lineage.map((c, i) => card(c, i ? "ancestor " + i : "best")));
}
function bestValue(job) {
  if (!job.best) return "-";
  return job.metric + " = " + Number(job.best.metrics[job.metric]).toPrecision(6);
}
function progressBar(share) {
  const bar = element("div", undefined, {class: "bar"});
  const fill = element("div");
  fill.style.width = Math.round(share * 100) + "%";
  bar.append(fill);
  return bar;
}
async function refresh() {
  const jobs = await api("/jobs");
  const rows = jobs.map(job => {
    const row = element("tr", undefined, {class: "job", "data-job": job.job});
    const share = job.budget ? Math.min(1, job.evaluations / job.budget) : 0;
    const progress = element("td");
    progress.append(progressBar(share));
    row.append(element("td", job.job), element("td", job.name),
      element("td", job.state, {class: "state"}), progress,
      element("td", job.evaluations + (job.budget ? " / " + job.budget : "")),
      element("td", bestValue(job), {class: "best"}));
    row.onclick = () => { selected = job.job; drawSelected(); };
    return row;
  });
  document.querySelector("#jobs tbody").replaceChildren(...rows);
  if (selected) await drawSelected();
}
async function drawSelected() {
  await Promise.all([drawCurve(), drawCandidates()]);
}
function svgElement(tag, attributes, text) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = String(text);
  return node;
}
async function drawCurve() {
  const data = await api("/jobs/" + selected + "/curve");
  document.getElementById("curve-title").textContent = "best vs evaluations: " + selected;
  const svg = document.getElementById("plot");
  const points = data.curve.map(p => [Number(p[0]), Number(p[1])]);
  if (!points.length) { svg.replaceChildren(); return; }
  const last = points[points.length - 1][0];
  const xs = points.map(p => p[0]).concat([last]), ys = points.map(p => p[1]);
  const [x0, x1] = [0, Math.max(...xs, 1)], [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const sx = x => 40 + 580 * (x - x0) / (x1 - x0 || 1);
  const sy = y => 290 - 260 * (y - y0) / (y1 - y0 || 1);
  const steps = [];
  points.forEach((p, i) => {
    if (i) steps.push(`${sx(p[0])},${sy(points[i - 1][1])}`);
    steps.push(`${sx(p[0])},${sy(p[1])}`);
  });
  svg.replaceChildren(
    svgElement("line", {x1: 40, y1: 290, x2: 620, y2: 290, stroke: "#999"}),
    svgElement("line", {x1: 40, y1: 30, x2: 40, y2: 290, stroke: "#999"}),
    svgElement("text", {x: 40, y: 310}, 0), svgElement("text", {x: 590, y: 310}, x1),
    svgElement("text", {x: 0, y: 294}, y0.toPrecision(4)),
    svgElement("text", {x: 0, y: 34}, y1.toPrecision(4)),
    svgElement("polyline", {points: steps.join(" ")}));
}
refresh().catch(console.error);
setInterval(() => refresh().catch(console.error), 2000);
</script></body></html>
"""
