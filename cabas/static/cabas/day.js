// The distribution day, offline: a queue of the stand's or the desk's actions in IndexedDB.
//
// Loaded by templates/distribution/offline.html on a stand's and the welcome desk's
// pages only. Without JavaScript the forms post as plain forms; this module changes
// nothing about what the server records, only when it is sent.
//
// - Every form[data-day-action] is caught on submit.
//   Online with an empty queue, it is posted at once with fetch, exactly the fields
//   the plain form posts (its device and action ids included), and the page then shows
//   the server's answer as without JavaScript (the message, the change to give, a
//   refusal). Why not always queue: the server's answer is the truth and says more
//   than this module could, and the plain path is the one every other test exercises.
//   If that post cannot reach the server (the wifi is there but the hall's link is
//   not), the same action, same ids, goes to the queue: if it had reached the server
//   after all, the replay answers « duplicate » and nothing is recorded twice.
//   Offline, or while the queue is not empty (to keep the order), the action goes to
//   the queue with an id made here (crypto.randomUUID; « tout remis » becomes one
//   action per line, `<id>-<line>`, as the server does for the plain form).
// - The queue is sent in order, in batches, to the scope's sync endpoint (protocol
//   in cabas/distribution/sync_views.py). Each result takes its action off the queue:
//   applied and duplicate silently, refused and conflicts as notices kept in
//   IndexedDB and shown next to the household until someone clicks « vu ». Actions
//   without a result (network cut mid-request, server busy) stay, with their ids,
//   and are sent again: the server applies each (device, action) once.
// - The page is updated from the scope's snapshot (state.json, kept in IndexedDB)
//   plus the queue: handed lines greyed, their buttons hidden, the amount left
//   recomputed for display only (the server recomputes the truth).
// - A service worker (/day-sw.js, templates/distribution/day-sw.js) serves the page
//   shell offline, so a reload offline shows the page with its queued actions.
// - The status line (a polite live region) always says where the page stands.

const box = document.getElementById("day-offline");
const root = document.querySelector("[data-day-scope]");

const say = box?.dataset ?? {};
const KEY = [root?.dataset.dayScope, root?.dataset.dayCycle, root?.dataset.dayProducer ?? ""].join(":");
const FIELDS = ["kind", "order", "producer", "corrects", "quantity", "weight", "amount", "method", "reason", "note"];
const DETAILS = ["number", "bank", "drawer", "reference", "tendered"];
const BATCH = 100; // the server takes up to 200

let queue = []; // [{device, label, fields}], oldest first, as in IndexedDB
let notices = []; // [{order, kind: "refused" | "conflict", label, message}]
let snapshot = null;
let recent = []; // applied here since the page opened: [{fields, event}]
let reachable = true; // false after a request that did not reach the server
let sending = false;
let problem = ""; // the server's last error (logged out, forbidden), shown in the status line

// --- IndexedDB: one store of keyed values; each change is one transaction ---------------

const database = new Promise((resolve, reject) => {
  const request = indexedDB.open("cabas-day", 1);
  request.onupgradeneeded = () => request.result.createObjectStore("kv");
  request.onsuccess = () => resolve(request.result);
  request.onerror = () => reject(request.error);
});

async function change(key, update) {
  const db = await database;
  return new Promise((resolve, reject) => {
    const tx = db.transaction("kv", "readwrite");
    const store = tx.objectStore("kv");
    let value;
    const get = store.get(key);
    get.onsuccess = () => {
      value = update(get.result);
      store.put(value, key);
    };
    tx.oncomplete = () => resolve(value);
    tx.onerror = tx.onabort = () => reject(tx.error);
  });
}

const read = (key) => change(key, (value) => value);

// --- Start -----------------------------------------------------------------------------

async function start() {
  box.hidden = false;
  queue = (await read("queue:" + KEY)) ?? [];
  notices = (await read("notices:" + KEY)) ?? [];
  snapshot = (await read("snapshot:" + KEY)) ?? null;
  document.addEventListener("submit", submitted);
  box.addEventListener("click", dismissed);
  root.addEventListener("click", dismissed);
  window.addEventListener("online", () => ((reachable = true), sync()));
  window.addEventListener("offline", show);
  setInterval(() => queue.length && sync(), 20_000);
  show();
  if (navigator.onLine) await refresh();
  sync();
  keepShell();
}

function online() {
  return navigator.onLine && reachable;
}

// The scope's snapshot, for the page's display when the network is gone.
async function refresh() {
  try {
    const response = await fetch(box.dataset.state, { credentials: "same-origin", cache: "no-store" });
    reachable = true;
    if (!response.ok) return;
    const fresh = await response.json();
    snapshot = await change("snapshot:" + KEY, () => fresh);
  } catch (error) {
    reachable = false;
  }
  show();
}

// Register the service worker, and ask it to keep every household's page of this scope.
async function keepShell() {
  if (!("serviceWorker" in navigator)) return;
  await navigator.serviceWorker.register(box.dataset.worker, { scope: "/" });
  const worker = (await navigator.serviceWorker.ready).active;
  const home = box.dataset.home;
  const panel = root.dataset.dayScope === "stand" ? (h) => `${home}${h.order}/` : (h) => `${home}?order=${h.order}`;
  worker?.postMessage({ warm: [location.href, home, ...(snapshot?.households ?? []).map(panel)] });
}

// --- Recording an action -----------------------------------------------------------------

async function submitted(event) {
  const form = event.target.closest?.("form[data-day-action]");
  if (!form || !root.contains(form)) return;
  event.preventDefault();
  const submitter = event.submitter;
  if (submitter) submitter.disabled = true;
  try {
    if (online() && !queue.length) await post(form, submitter);
    else await enqueue(form, submitter, crypto.randomUUID());
  } finally {
    if (submitter) submitter.disabled = false;
  }
}

// Online: the plain form's post, then the page the server redirects to (with its message).
async function post(form, submitter) {
  const data = new FormData(form);
  let response;
  try {
    response = await fetch(form.action, { method: "POST", body: data, redirect: "manual", credentials: "same-origin" });
  } catch (error) {
    reachable = false;
    return enqueue(form, submitter, data.get("action"));
  }
  if (response.type === "opaqueredirect") location.assign(pageOf(data.get("order")));
  else form.submit(); // a refusal or an error: the server says it, as without JavaScript
}

function pageOf(order) {
  const home = box.dataset.home;
  return root.dataset.dayScope === "stand" ? `${home}${order}/` : `${home}?order=${order}`;
}

async function enqueue(form, submitter, id) {
  const data = new FormData(form);
  const fields = { happened_at: new Date().toISOString() };
  for (const name of FIELDS) if (data.get(name)) fields[name] = data.get(name);
  const details = Object.fromEntries(DETAILS.map((k) => [k, data.get("details-" + k)]).filter(([, v]) => v));
  if (Object.keys(details).length) fields.details = details;
  const lines = data.getAll("line");
  const each = lines.length > 1 ? lines.map((line) => ({ line, action: `${id}-${line}` })) : [{ line: lines[0], action: id }];
  const label = [submitter?.textContent.trim(), fields.amount, fields.weight].filter(Boolean).join(" · ");
  const actions = each.map((one) => ({ device: data.get("device"), label, fields: { ...fields, ...one } }));
  queue = await change("queue:" + KEY, (kept) => [...(kept ?? []), ...actions]);
  form.reset();
  form.closest("details")?.removeAttribute("open");
  show();
  sync();
}

// --- Sending the queue -----------------------------------------------------------------

async function sync() {
  if (sending || !navigator.onLine) return show();
  sending = true;
  let applied = false;
  try {
    for (;;) {
      queue = (await read("queue:" + KEY)) ?? [];
      if (!queue.length) break;
      show();
      const device = queue[0].device; // a batch has one device: the leading run of it
      const end = queue.findIndex((item) => item.device !== device);
      const batch = queue.slice(0, end < 0 ? BATCH : Math.min(end, BATCH));
      const response = await send(device, batch);
      if (!response) break;
      const answer = await response.json().catch(() => ({}));
      if (answer.results) applied = (await settle(batch, answer.results)) || applied;
      problem = response.ok ? "" : answer.error || response.statusText;
      if (!response.ok) break; // 503: what was not applied is still queued, for the next try
    }
  } finally {
    sending = false;
  }
  if (applied) await refresh();
  show();
}

async function send(device, batch) {
  try {
    const response = await fetch(box.dataset.sync, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ device, actions: batch.map((item) => item.fields) }),
    });
    reachable = true;
    return response;
  } catch (error) {
    reachable = false; // cut mid-request: the same ids go again later
    return null;
  }
}

function csrfToken() {
  return document.querySelector("input[name=csrfmiddlewaretoken]")?.value ?? "";
}

// Each result takes its action off the queue; refusals and conflicts become notices.
async function settle(batch, results) {
  const byId = new Map(batch.map((item) => [item.fields.action, item]));
  const done = new Set();
  const added = [];
  for (const result of results) {
    const item = byId.get(result.action);
    if (!item) continue;
    done.add(result.action);
    if (result.status !== "refused") recent.push({ fields: item.fields, event: result.event });
    if (result.status === "refused" || result.conflict) {
      const kind = result.status === "refused" ? "refused" : "conflict";
      added.push({ order: String(item.fields.order), kind, label: item.label, message: result.message });
    }
  }
  queue = await change("queue:" + KEY, (kept) => (kept ?? []).filter((item) => !done.has(item.fields.action)));
  if (added.length) notices = await change("notices:" + KEY, (kept) => [...(kept ?? []), ...added]);
  return done.size > 0;
}

async function dismissed(event) {
  const button = event.target.closest?.("button[data-notice]");
  if (!button) return;
  const gone = JSON.stringify(notices[Number(button.dataset.notice)]);
  notices = await change("notices:" + KEY, (kept) => (kept ?? []).filter((n) => JSON.stringify(n) !== gone));
  show();
}

// --- Showing where the page stands -------------------------------------------------------

function show() {
  const n = queue.length;
  let text = say.upToDate;
  if (sending && online()) text = say.sending;
  else if (!online()) text = n ? (n === 1 ? say.offlineOne : say.offlineMany.replace("N", n)) : say.offlineNone;
  else if (n) text = n === 1 ? say.onlineOne : say.onlineMany.replace("N", n);
  else if (problem) text = problem;
  const line = document.getElementById("day-status");
  if (line.textContent !== text) line.textContent = text;
  overlay();
}

// What the device knows and the page's HTML may not: the queue, and what it applied since
// the snapshot was taken.
function pending() {
  const since = snapshot?.version ?? 0;
  return [...recent.filter((r) => r.event > since), ...queue].map((item) => item.fields);
}

function overlay() {
  const actions = pending();
  const handed = new Set(actions.filter((a) => a.kind === "handed").map((a) => String(a.line)));
  const arrived = new Set(actions.filter((a) => a.kind === "arrived").map((a) => String(a.order)));
  for (const h of snapshot?.households ?? []) {
    for (const line of h.lines ?? []) if (line.handed) handed.add(String(line.line));
  }
  root.querySelectorAll("[data-day-line]").forEach((li) => {
    if (handed.has(li.dataset.dayLine)) li.classList.add("served");
  });
  root.querySelectorAll("form[data-day-action]").forEach((form) => {
    const kind = form.elements.kind?.value;
    const lines = [...form.querySelectorAll("input[name=line]")].map((input) => input.value);
    const done =
      (kind === "handed" && lines.every((line) => handed.has(line))) ||
      (kind === "arrived" && arrived.has(form.elements.order.value));
    if (done && !form.hidden) {
      form.hidden = true;
      form.insertAdjacentHTML("afterend", '<span class="badge pending"></span>');
      form.nextElementSibling.textContent = say.waiting;
    }
  });
  root.querySelectorAll("[data-day-household]").forEach((due) => showLeft(due, actions));
  root.querySelectorAll("[data-day-order]").forEach((li) => {
    const waiting = queue.some((item) => String(item.fields.order) === li.dataset.dayOrder);
    li.classList.toggle("pending", waiting);
  });
  showNotices();
}

// The amount left, for display only: the snapshot's, less what is queued, with queued weighings.
function showLeft(due, actions) {
  const order = Number(due.dataset.dayHousehold);
  const h = snapshot?.households?.find((one) => one.order === order);
  const figure = due.querySelector("[data-day-left]");
  if (!h || !figure) return;
  let left = h.left_cents;
  const lines = new Map((h.lines ?? []).map((line) => [String(line.line), line]));
  const weighed = new Map();
  for (const a of actions.filter((one) => Number(one.order) === order)) {
    if (a.kind === "paid" || a.kind === "desk_paid") left -= cents(a.amount, 2);
    if (a.kind === "weighed" && lines.has(String(a.line))) weighed.set(String(a.line), cents(a.weight, 3));
  }
  for (const [id, grams] of weighed) {
    const line = lines.get(id);
    left += Math.floor((2 * line.price_cents * grams + 1000) / 2000) - line.total_cents; // half up, as the server
  }
  if (h.paid_at_desk) return;
  const text = new Intl.NumberFormat(document.documentElement.lang, { style: "currency", currency: "EUR" }).format(left / 100);
  if (figure.textContent !== text) figure.textContent = text;
}

function cents(text, places) {
  const value = String(text ?? "").trim().replace(",", ".");
  return /^\d+(\.\d*)?$/.test(value) ? Math.round(Number(value) * 10 ** places) : 0;
}

// Refusals and conflicts, next to the household they concern (its panel, or its row in the list).
let shown = "";

function showNotices() {
  if (shown === JSON.stringify(notices)) return;
  shown = JSON.stringify(notices);
  root.querySelectorAll(".day-notices").forEach((list) => list.remove());
  const places = [...root.querySelectorAll("[data-day-household], [data-day-order]")];
  for (const place of places) {
    const order = place.dataset.dayHousehold ?? place.dataset.dayOrder;
    const mine = notices.map((n, i) => [n, i]).filter(([n]) => n.order === order);
    if (!mine.length) continue;
    const list = document.createElement("ul");
    list.className = "day-notices";
    list.setAttribute("role", "alert");
    for (const [notice, index] of mine) {
      const item = list.appendChild(document.createElement("li"));
      item.className = `message ${notice.kind === "refused" ? "error" : "warning"}`;
      const title = item.appendChild(document.createElement("strong"));
      title.textContent = notice.kind === "refused" ? say.refused : say.conflict;
      item.append(` ${notice.label} — ${notice.message} `);
      const button = item.appendChild(document.createElement("button"));
      button.type = "button";
      button.className = "small secondary";
      button.dataset.notice = index;
      button.textContent = say.dismiss;
    }
    if (place.matches("li")) place.append(list);
    else place.after(list);
  }
}

if (box && root && "indexedDB" in window) start();
