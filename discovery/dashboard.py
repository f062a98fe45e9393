"""The daemon's web dashboard: one static page that polls the JSON API.

It lists the jobs (state, progress, best value) and draws the selected job's
best-versus-evaluations curve as SVG, its top candidates, the lineage of its best
candidate, for an LLM proposer each model's picks, rewards and costs, and, for a job whose
proposer learns at test time, its learning curve (mean reward, beta, entropy per policy
update, `discovery.learning_curve`). Candidates arrive as HTML fragments the server rendered and escaped
(`discovery.depict`) and are the only HTML the page inserts; everything else from the API
(names, metric names, states, numbers) is set with ``textContent`` or as SVG attributes on
elements the script builds, never parsed as HTML, so a task whose metric is named
``<img src=x onerror=...>`` shows those characters. No build step, no third-party scripts.
A token, when
the API needs one, is read from the page's fragment (``/#token=...``), which browsers never
send to the server. The fragment is also the page's address: ``#job=ID`` opens that job,
``&compare=ID2`` draws a second job's curve beside it on the same axes, and clicking updates
it, so a view can be bookmarked or shared. The curve has titled axes, runs to the job's last
evaluation (not its last improvement) and switches to a log scale where the values span two
decades or more.
"""

DASHBOARD_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>discovery daemon</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; } td, th { padding: 4px 10px; border-bottom: 1px solid #ddd; }
tr.job { cursor: pointer; } tr.job:hover { background: #f4f4f4; }
.bar { width: 120px; height: 8px; background: #eee; } .bar div { height: 8px; background: #4a8; }
#curve { margin-top: 1.5em; } polyline { fill: none; stroke-width: 2; }
polyline.series0 { stroke: #36c; } polyline.series1 { stroke: #d62; }
text.legend0 { fill: #36c; } text.legend1 { fill: #d62; } text.axis { fill: #555; }
button.compare { font-size: 11px; }
.card { border: 1px solid #ddd; margin: 0.5em 0; padding: 0.5em; max-width: 900px; }
.card .metrics { color: #555; } pre.candidate { white-space: pre-wrap; margin: 0.3em 0; }
</style></head>
<body>
<h1>discovery daemon</h1>
<table id="jobs"><thead><tr><th>job</th><th>name</th><th>state</th><th>progress</th>
<th>evaluations</th><th>best</th><th></th></tr></thead><tbody></tbody></table>
<div id="curve"><h2 id="curve-title">select a job</h2>
<svg id="plot" width="680" height="360" viewBox="0 0 680 360"></svg></div>
<div id="models-section" hidden><h2>models</h2>
<table id="models"><thead><tr><th>model</th><th>picks</th><th>answered</th><th>reward</th>
<th>cost (USD)</th><th>seconds</th><th>value</th></tr></thead><tbody></tbody></table>
<p id="novelty"></p></div>
<div id="learning-panel"><h2 id="learning-title">test-time learning</h2>
<svg id="learning" width="680" height="330" viewBox="0 0 680 330"></svg></div>
<h2>top candidates</h2><div id="top"></div>
<h2>lineage of the best (newest first)</h2><div id="lineage"></div>
<script>
const fragment = new URLSearchParams(location.hash.slice(1));
const token = fragment.get("token");
const headers = token ? {Authorization: "Bearer " + token} : {};
let selected = fragment.get("job");
let compared = fragment.get("compare");
function remember() {  // the view's address: token, job, compared job
  const parts = new URLSearchParams();
  if (token) parts.set("token", token);
  if (selected) parts.set("job", selected);
  if (compared && compared !== selected) parts.set("compare", compared);
  history.replaceState(null, "", "#" + parts.toString());
}
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
    const compare = element("button", "compare", {class: "compare", "data-job": job.job});
    compare.onclick = event => {
      event.stopPropagation(); compared = job.job; remember(); drawSelected();
    };
    const last = element("td"); last.append(compare); row.append(last);
    row.onclick = () => { selected = job.job; remember(); drawSelected(); };
    return row;
  });
  document.querySelector("#jobs tbody").replaceChildren(...rows);
  if (selected) await drawSelected();
}
async function drawSelected() {
  await Promise.all([drawCurve(), drawCandidates(), drawModels(), drawLearning()]);
}
async function drawModels() {  // per-model records of an LLM proposer (none: hidden)
  const figures = await api("/jobs/" + selected + "/models");
  const models = Object.entries(figures.models || {});
  const rows = models.map(([name, m]) => {
    const row = element("tr", undefined, {class: "model", "data-model": name});
    row.append(element("td", name), element("td", m.picks), element("td", m.calls),
      element("td", Number(m.reward).toPrecision(4)), element("td", Number(m.cost_usd).toFixed(4)),
      element("td", Number(m.seconds).toFixed(1)), element("td", Number(m.value).toFixed(3)));
    return row;
  });
  document.querySelector("#models tbody").replaceChildren(...rows);
  const check = figures.novelty_check;
  document.getElementById("novelty").textContent = check ?
    "novelty check: " + check.rejected + " of " + check.asked + " children rejected" : "";
  document.getElementById("models-section").hidden = !models.length;
}
// The test-time RL curve (mean reward, beta, entropy per policy update), one panel each on
// its own scale; the section says so when the job's proposer does not learn.
const LEARNING = [["mean_reward", "mean reward"], ["beta", "beta"], ["entropy", "entropy"]];
async function drawLearning() {
  const data = await api("/jobs/" + selected + "/learning");
  const svg = document.getElementById("learning");
  const title = document.getElementById("learning-title");
  if (!data.curve.length) {
    title.textContent = "test-time learning: none in this job";
    svg.replaceChildren();
    return;
  }
  title.textContent = "test-time learning: " + data.curve.length + " policy updates";
  const steps = data.curve.map(p => Number(p.step));
  const [x0, x1] = [Math.min(...steps), Math.max(...steps)];
  const sx = x => 110 + 540 * (x - x0) / (x1 - x0 || 1);
  const nodes = [];
  LEARNING.forEach(([key, name], k) => {
    const top = 20 + 100 * k;
    const points = data.curve.filter(p => p[key] !== null).map(p => [Number(p.step), Number(p[key])]);
    const ys = points.map(p => p[1]);
    const [y0, y1] = ys.length ? [Math.min(...ys), Math.max(...ys)] : [0, 1];
    const sy = y => top + 70 - 70 * (y - y0) / (y1 - y0 || 1);
    nodes.push(svgElement("line", {x1: 110, y1: top + 70, x2: 650, y2: top + 70, stroke: "#999"}));
    nodes.push(svgElement("text", {x: 104, y: top + 74, "text-anchor": "end"}, y0.toPrecision(3)));
    nodes.push(svgElement("text", {x: 104, y: top + 4, "text-anchor": "end"}, y1.toPrecision(3)));
    nodes.push(svgElement("text", {x: 120, y: top - 4, class: "axis", id: "learning-" + key},
      name + (ys.length ? ": " + ys[0].toPrecision(3) + " \u2192 " + ys[ys.length - 1].toPrecision(3) : "")));
    nodes.push(svgElement("polyline", {class: "series0 learning-" + key,
      points: points.map(p => sx(p[0]) + "," + sy(p[1])).join(" ")}));
  });
  nodes.push(svgElement("text", {x: 380, y: 326, class: "axis", "text-anchor": "middle"},
    "policy update (step " + x0 + " to " + x1 + ")"));
  svg.replaceChildren(...nodes);
}
function svgElement(tag, attributes, text) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = String(text);
  return node;
}
async function drawCurve() {
  const ids = [selected].concat(compared && compared !== selected ? [compared] : []);
  const curves = await Promise.all(ids.map(id => api("/jobs/" + id + "/curve")));
  const first = curves[0];
  document.getElementById("curve-title").textContent =
    "best " + first.metric + " vs evaluations: " + ids.join(" and ");
  const svg = document.getElementById("plot");
  const series = curves.map(c => {
    const points = c.curve.map(p => [Number(p[0]), Number(p[1])]);
    if (points.length) points.push([Math.max(Number(c.evaluations), points[points.length - 1][0]),
                                     points[points.length - 1][1]]);
    return points;
  });
  const all = series.flat();
  if (!all.length) { svg.replaceChildren(); return; }
  const ys = all.map(p => p[1]);
  const positive = ys.every(y => y > 0);
  const log = positive && Math.max(...ys) / Math.min(...ys) >= 100;
  const f = y => log ? Math.log10(y) : y;
  const [x0, x1] = [0, Math.max(...all.map(p => p[0]), 1)];
  const [y0, y1] = [Math.min(...ys.map(f)), Math.max(...ys.map(f))];
  const sx = x => 110 + 540 * (x - x0) / (x1 - x0 || 1);
  const sy = y => 300 - 260 * (f(y) - y0) / (y1 - y0 || 1);
  const label = v => (log ? Math.pow(10, v) : v).toPrecision(4);
  const tick = v => svgElement("text", {x: 104, y: 304 - 260 * (v - y0) / (y1 - y0 || 1),
    "text-anchor": "end"}, label(v));
  const nodes = [
    svgElement("line", {x1: 110, y1: 300, x2: 650, y2: 300, stroke: "#999"}),
    svgElement("line", {x1: 110, y1: 40, x2: 110, y2: 300, stroke: "#999"}),
    svgElement("text", {x: 110, y: 318, "text-anchor": "middle"}, 0),
    svgElement("text", {x: 650, y: 318, "text-anchor": "middle"}, x1),
    tick(y0), tick((y0 + y1) / 2), tick(y1),
    svgElement("text", {x: 380, y: 345, class: "axis", id: "x-title", "text-anchor": "middle"},
      "evaluations"),
    svgElement("text", {x: 16, y: 170, class: "axis", id: "y-title", "text-anchor": "middle",
      transform: "rotate(-90 16 170)"},
      "best " + first.metric + " (" + first.direction + ")" + (log ? ", log scale" : "")),
  ];
  series.forEach((points, k) => {
    const steps = [];
    points.forEach((p, i) => {
      if (i) steps.push(`${sx(p[0])},${sy(points[i - 1][1])}`);
      steps.push(`${sx(p[0])},${sy(p[1])}`);
    });
    nodes.push(svgElement("polyline", {points: steps.join(" "), class: "series" + k}));
    nodes.push(svgElement("text", {x: 120 + 300 * k, y: 24, class: "legend" + k}, ids[k]));
  });
  svg.replaceChildren(...nodes);
}
refresh().catch(console.error);
setInterval(() => refresh().catch(console.error), 2000);
</script></body></html>
"""
