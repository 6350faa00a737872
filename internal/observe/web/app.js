// actorsh observer: the tree from /api/tree, refreshed at most 10 times a
// second while events come; the narration from the event stream; actions
// through /api/cmd, the prompt's own command table.
"use strict";

const $ = (id) => document.getElementById(id);
const pidKey = (pid) => pid.replace(/[<>]/g, "");
let timer = null;
let flashing = new Set();

async function api(path, opts) {
  const r = await fetch(path, opts);
  return r.json();
}

async function run(line) {
  const res = await api("/api/cmd", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ line }) });
  if (res.error) addLine("error: " + res.error);
  return res;
}

function budget(n) {
  if (n.max_restarts === undefined) return null;
  const wrap = document.createElement("span");
  const bar = document.createElement("span");
  bar.className = "budget";
  const used = n.max_restarts ? n.restarts / n.max_restarts : 1;
  if (used >= 1) bar.classList.add("full"); else if (used >= 0.66) bar.classList.add("warn");
  const fill = document.createElement("i");
  fill.style.width = Math.min(100, Math.round(used * 100)) + "%";
  bar.appendChild(fill);
  const text = document.createElement("span");
  text.className = "budgettext";
  text.textContent = `${n.restarts}/${n.max_restarts} in ${n.max_seconds}s`;
  wrap.append(bar, " ", text);
  return wrap;
}

function button(label, onclick) {
  const b = document.createElement("button");
  b.className = "act";
  b.textContent = label;
  b.addEventListener("click", onclick);
  return b;
}

function node(n) {
  const li = document.createElement("li");
  li.dataset.pid = pidKey(n.pid || "");
  const label = n.name || n.id || "";
  li.dataset.name = label;
  const row = document.createElement("span");
  row.className = "node";
  if (flashing.has(label)) row.classList.add("flash");
  const name = document.createElement("span");
  name.className = "name";
  name.textContent = label;
  const pid = document.createElement("span");
  pid.className = "pid";
  pid.textContent = n.pid || "";
  const kind = document.createElement("span");
  kind.className = "kind";
  kind.textContent = n.strategy ? `${n.kind}, ${n.strategy}` : `${n.kind || ""}${n.restart ? ", " + n.restart : ""}`;
  row.append(name, pid, kind);
  const b = budget(n);
  if (b) row.append(b);
  if (n.pid && n.name !== "root") {
    const target = n.pid;
    row.append(button("kill", () => run("kill " + target)), button("why", () => why(label || target)));
  }
  li.appendChild(row);
  if (n.children && n.children.length) {
    const ul = document.createElement("ul");
    for (const c of n.children) ul.appendChild(node(c));
    if (n.more) {
      const more = document.createElement("li");
      more.className = "more";
      more.textContent = `... and ${n.more} more`;
      ul.appendChild(more);
    }
    li.appendChild(ul);
  }
  return li;
}

async function refreshTree() {
  timer = null;
  const tree = await api("/api/tree");
  if (tree.error) return;
  const ul = $("tree");
  ul.replaceChildren(node(tree));
  ul.dataset.loaded = String(Date.now());
}

// at most 10 refreshes a second, however many events come
function scheduleTree() {
  if (!timer) timer = setTimeout(refreshTree, 100);
}

async function why(target) {
  const res = await api("/api/why/" + encodeURIComponent(target));
  $("why").textContent = res.error ? res.error : res.chain.map((c) => c.text).join("\n");
}

function addLine(text) {
  const li = document.createElement("li");
  li.textContent = text;
  const tl = $("timeline");
  tl.appendChild(li);
  while (tl.children.length > 500) tl.firstChild.remove();
  tl.scrollTop = tl.scrollHeight;
}

function connect() {
  const es = new EventSource("/api/events");
  es.onopen = () => { $("status").textContent = "live"; $("status").classList.add("live"); };
  es.onerror = () => { $("status").textContent = "reconnecting"; $("status").classList.remove("live"); };
  es.addEventListener("gap", scheduleTree);
  es.onmessage = (m) => {
    const e = JSON.parse(m.data);
    if (e.type === "burst") { // more at once than the page should draw: reload what it shows
      addLine(`(${e.count} events at once)`);
      scheduleTree();
      return;
    }
    if (e.text) addLine(e.text);
    if (e.event === "restarted") {
      flashing.add(e.name);
      setTimeout(() => { flashing.delete(e.name); scheduleTree(); }, 1000);
    }
    if (["spawned", "exited", "restarted", "not_restarted", "gave_up", "registered"].includes(e.event)) scheduleTree();
  };
}

$("cmd").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const line = $("line").value.trim();
  if (!line) return;
  const res = await run(line);
  for (const r of res.results || []) if (r.text) addLine(r.text);
  $("line").value = "";
});

refreshTree();
connect();
