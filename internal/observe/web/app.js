// actorsh observer. Snapshots from /api/* (the tree paged: a supervisor's
// first children, then more on demand or by search), refreshed at most 10
// times a second while events come; the narration from the event stream;
// every action through /api/cmd, the prompt's own command table.
"use strict";

const $ = (id) => document.getElementById(id);
const pidKey = (pid) => (pid || "").replace(/[<>]/g, "");
const el = (tag, props, ...kids) => { const e = Object.assign(document.createElement(tag), props || {}); e.append(...kids); return e; };
let timer = null, tab = "tree", selected = null;
let budgetsUsed = false; // the tree shows a supervisor with restarts in its window
let client = null; // the event stream's id, to tell the server what the page shows
let elsewhere = 0;
const flashing = new Set();
const closed = new Set(); // supervisors the user collapsed
const paging = new Map(); // a big supervisor's PID: what the user paged or searched among its children
let lastTree = ""; // the tree as last drawn

async function api(path, opts) { return (await fetch(path, opts)).json(); }

async function run(line) {
  const res = await api("/api/cmd", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ line }) });
  if (res.error) addLine("error: " + res.error);
  for (const r of res.results || []) if (r.text) addLine(r.text);
  return res;
}

function budget(n) {
  if (n.restarts > 0) budgetsUsed = true;
  const bar = el("span", { className: "budget" });
  const used = n.max_restarts ? n.restarts / n.max_restarts : 1;
  if (used >= 1) bar.classList.add("full"); else if (used >= 0.66) bar.classList.add("warn");
  const fill = el("i");
  fill.style.width = Math.min(100, Math.round(used * 100)) + "%";
  bar.append(fill);
  return el("span", {}, bar, " ", el("span", { className: "budgettext", textContent: `${n.restarts}/${n.max_restarts} in ${n.max_seconds}s` }));
}

const button = (label, onclick) => el("button", { className: "act", textContent: label, onclick });

function row(n) {
  const label = n.name || n.id || "";
  const r = el("span", { className: "node" },
    el("span", { className: "name", textContent: label }),
    el("span", { className: "pid", textContent: n.pid || "" }),
    el("span", { className: "kind", textContent: n.strategy ? `${n.kind}, ${n.strategy}` : `${n.kind || ""}${n.restart ? ", " + n.restart : ""}${n.restarts ? ", " + n.restarts + (n.restarts === 1 ? " restart" : " restarts") : ""}` }));
  if (flashing.has(label)) r.classList.add("flash");
  if (n.max_restarts !== undefined) r.append(budget(n));
  if (n.pid && label !== "root") {
    r.append(button("kill", () => run("kill " + n.pid)), button("why", () => why(label || n.pid)), button("info", () => showProc(n.pid)));
  }
  return r;
}

function node(n) {
  const li = el("li");
  li.dataset.pid = pidKey(n.pid);
  li.dataset.name = n.name || n.id || "";
  if (!n.children) { li.append(row(n)); return li; }
  const det = el("details", { open: !closed.has(li.dataset.pid) }, el("summary", {}, row(n)));
  det.addEventListener("toggle", () => { det.open ? closed.delete(li.dataset.pid) : closed.add(li.dataset.pid); });
  const ul = el("ul");
  for (const c of n.children) ul.append(node(c));
  if (n.more) ul.append(moreItem(n, n.children.length ? n.children[n.children.length - 1].pid : ""));
  det.append(ul);
  li.append(det);
  return li;
}

// the rest of a big supervisor's children: counted, paged and searchable,
// never all drawn
function moreItem(sup, after) {
  const li = el("li", { className: "more" });
  const count = el("span", { textContent: `... and ${sup.more} more` });
  const search = el("input", { className: "search", placeholder: "search them" });
  // what the user paged or searched stays through a refresh of the tree
  const st = paging.get(sup.pid) || { q: "", count: 0 };
  const page = async (q, from, limit, fresh) => {
    const res = await api(`/api/children?sup=${encodeURIComponent(sup.pid)}&limit=${limit}&after=${encodeURIComponent(from)}&q=${encodeURIComponent(q)}`);
    if (res.error) { addLine("error: " + res.error); return; }
    const ul = li.parentElement;
    if (!ul) return; // the tree was drawn again meanwhile
    if (fresh) for (const old of ul.querySelectorAll(":scope > li.paged")) old.remove();
    for (const c of res.children) { const item = node(c); item.classList.add("paged"); ul.insertBefore(item, li); }
    const shown = (fresh ? 0 : st.count) + res.children.length;
    paging.set(sup.pid, { q, count: shown });
    st.q = q; st.count = shown;
    next.onclick = () => page(q, res.next, 50, false);
    sendView();
  };
  const next = button("next 50", () => page(st.q, after, 50, false));
  search.value = st.q;
  search.addEventListener("change", () => page(search.value, search.value ? "" : after, 50, true));
  li.append(count, " ", next, " ", search);
  if (st.count > 0) setTimeout(() => page(st.q, st.q ? "" : after, Math.min(st.count, 1000), true));
  return li;
}

// the user is typing in the tree (a search): it is not drawn again under
// their hands
function typingInTree() {
  const a = document.activeElement;
  return a && a.tagName === "INPUT" && $("tree").contains(a);
}

async function refreshTree() {
  if (typingInTree()) return;
  const tree = await api("/api/tree");
  if (tree.error || typingInTree()) return;
  const seen = JSON.stringify(tree) + [...flashing].join();
  if (seen === lastTree) return; // nothing changed: nothing is drawn again
  lastTree = seen;
  const ul = $("tree");
  budgetsUsed = false;
  ul.replaceChildren(node(tree));
  ul.dataset.loaded = String(Date.now());
  sendView();
}

async function refreshProcs() {
  const res = await api(`/api/procs?sort=${$("sort").value}&limit=100&q=${encodeURIComponent($("filter").value)}`);
  if (res.error) return;
  $("ptotal").textContent = `${res.processes.length} shown of ${res.total}`;
  $("procs").tBodies[0].replaceChildren(...res.processes.map((p) => {
    const tr = el("tr", { onclick: () => showProc(p.pid) });
    tr.dataset.pid = pidKey(p.pid);
    for (const k of ["pid", "name", "kind", "supervisor", "restart", "status", "mailbox", "handled", "restarts"]) tr.append(el("td", { textContent: p[k] ?? "" }));
    return tr;
  }));
  sendView();
}

async function refreshRegs() {
  const res = await api("/api/regs");
  $("regs").tBodies[0].replaceChildren(...(res.registries || []).map((r) => el("tr", {}, ...["name", "keys", "partitions", "entries"].map((k) => el("td", { textContent: r[k] })))));
}

async function refreshChart() {
  const res = await api("/api/msc?limit=30");
  $("chart").innerHTML = res.svg || ""; // the server's SVG, its text escaped
}

async function showProc(pid) {
  selected = pid;
  const p = await api("/api/proc/" + encodeURIComponent(pid));
  const card = $("proc");
  card.hidden = false;
  if (p.error) { card.replaceChildren(el("p", { textContent: p.error })); return; }
  const dl = el("dl");
  for (const k of ["pid", "name", "kind", "status", "mailbox", "handled", "links", "monitors", "monitored_by", "trap_exit", "parent", "restarts", "started", "state"]) {
    const v = Array.isArray(p[k]) ? p[k].join(" ") : p[k];
    dl.append(el("dt", { textContent: k }), el("dd", { textContent: v === undefined || v === "" ? "-" : String(v) }));
  }
  dl.append(el("dt", { textContent: "names" }), el("dd", { textContent: (p.names || []).map((n) => `${n.key} (${n.registry})`).join(", ") || "-" }));
  dl.append(el("dt", { textContent: "messages" }), el("dd", { textContent: (p.messages || []).join("\n") || "(trace it to see them)" }));
  const msg = el("input", { className: "search", placeholder: "a term: {add, 5}" });
  card.replaceChildren(el("h2", { textContent: p.name || p.pid }), dl,
    button("kill", () => run("kill " + p.pid)), " ", button("stop", () => run("stop " + p.pid)), " ", msg, " ",
    button("send", () => run(`send ${p.pid} ${msg.value}`)), " ", button("call", () => run(`call ${p.pid} ${msg.value}`)),
    " ", button("trace", () => run(`trace on ${p.pid}`)));
}

// tell the server what the page shows, so that the stream brings the
// events about it and only counts the rest (a million processes churning
// elsewhere cost the page nothing). Views go one after another, each
// read from the page as it is when it goes, so a late one never undoes a
// newer one.
let viewing = Promise.resolve();
function sendView() { viewing = viewing.then(postView, postView); }

async function postView() {
  if (!client) return;
  let body = { client, pids: null };
  if (!$("everything").checked) {
    const pids = new Set(), full = [];
    for (const li of document.querySelectorAll("#tree li[data-pid], #procs tr[data-pid]")) if (li.dataset.pid) pids.add("<" + li.dataset.pid + ">");
    for (const det of document.querySelectorAll("#tree li[data-pid] > details")) {
      const li = det.parentElement;
      if (!det.querySelector(":scope > ul > li.more")) full.push("<" + li.dataset.pid + ">");
    }
    if (selected) pids.add(selected);
    body = { client, pids: [...pids], full };
  }
  await api("/api/view", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
}

function refresh() {
  timer = null;
  if (tab === "tree") refreshTree();
  if (tab === "procs") refreshProcs();
  if (tab === "regs") refreshRegs();
  if (tab === "chart") refreshChart();
  if (selected) showProc(selected);
}

// at most 10 refreshes a second, however many events come
function schedule() { if (!timer) timer = setTimeout(refresh, 100); }

async function why(target, event) {
  const res = await api("/api/why/" + encodeURIComponent(target) + (event ? "?event=" + encodeURIComponent(event) : ""));
  $("why").textContent = res.error ? res.error : res.chain.map((c) => c.text).join("\n");
}

function addLine(text, e) {
  const tl = $("timeline");
  const li = el("li", { textContent: text });
  if (e && e.pid) { // why this event happened, on a click
    li.className = "why-able";
    li.title = "why?";
    li.onclick = () => why(e.pid, e.event);
  }
  tl.append(li);
  while (tl.children.length > 500) tl.firstChild.remove();
  tl.scrollTop = tl.scrollHeight;
}

function connect() {
  const es = new EventSource("/api/events");
  // (re)connected: what happened before the stream was open is read again
  es.onopen = () => { $("status").textContent = "live"; $("status").classList.add("live"); schedule(); };
  es.onerror = () => { $("status").textContent = "reconnecting"; $("status").classList.remove("live"); };
  es.addEventListener("gap", schedule);
  es.addEventListener("hello", (m) => { client = JSON.parse(m.data).client; sendView(); });
  es.onmessage = (m) => {
    const e = JSON.parse(m.data);
    if (e.type === "burst") { addLine(`(${e.count} events at once)`); schedule(); return; }
    if (e.type === "elsewhere") { // about what the page does not show: counted
      elsewhere += e.count;
      $("elsewhere").textContent = `${elsewhere} events elsewhere`;
      return;
    }
    if (e.text) addLine(e.text, e);
    if (e.event === "restarted") {
      flashing.add(e.name);
      setTimeout(() => { flashing.delete(e.name); schedule(); }, 1000);
    }
    if (e.event !== "received" && e.event !== "handled" && e.event !== "sent") schedule();
  };
}

for (const b of document.querySelectorAll("nav button")) {
  b.addEventListener("click", () => {
    tab = b.dataset.tab;
    for (const o of document.querySelectorAll("nav button")) o.classList.toggle("on", o === b);
    for (const t of document.querySelectorAll(".tab")) t.hidden = t.id !== "tab-" + tab;
    refresh();
  });
}
$("sort").addEventListener("change", refreshProcs);
$("everything").addEventListener("change", sendView);
// the counts of what is paged away change with no event the page sees
setInterval(() => { if (tab === "tree" && document.querySelector("li.more")) schedule(); }, 2000);
$("filter").addEventListener("input", () => schedule());
$("cmd").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const line = $("line").value.trim();
  if (line) { await run(line); $("line").value = ""; }
});

// a budget drains as its window slides, with no event to say so: while
// the tree shows a restart, look again every second
setInterval(() => { if (tab === "tree" && budgetsUsed) schedule(); }, 1000);

refreshTree();
connect();
