// Offline-tolerant writes. A log is first kept in localStorage with its own Idempotency-Key,
// then sent; without a connection it waits and goes when the connection returns (the
// `online` event, the page's next start, or the 立即发送 button). The same key and the same
// request travel every time, so a retry whose first try did reach the server (the answer was
// lost on the way back) gets that first answer again and never makes a second record.
import { auth, gql, NetworkError } from "./api.js";

const { reactive } = Vue;
const STORE = "youthlink.m.outbox";

function read() {
  try {
    return JSON.parse(localStorage.getItem(STORE)) || [];
  } catch {
    return [];
  }
}

export const outbox = reactive({ items: read(), sending: false });

function persist() {
  localStorage.setItem(STORE, JSON.stringify(outbox.items));
}

// Only the signed-in account's own entries are sent (a shared phone, two logins).
export function mine() {
  const who = auth.session && auth.session.userId;
  return outbox.items.filter((item) => item.owner === who);
}

function newKey() {
  // crypto.randomUUID needs a secure context; intranet pages may be served over plain http.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return "m-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

const results = new Map();

// Keep the write, then try to send everything waiting. Answers { sent: true, data } when
// this write reached the server, { sent: false } when it waits for the connection, or throws
// the server's refusal (a bad field): a refused write is dropped from the queue.
export async function submit(label, query, variables) {
  const item = {
    key: newKey(),
    label,
    query,
    variables,
    owner: auth.session && auth.session.userId,
    savedAt: new Date().toISOString(),
    error: null,
  };
  outbox.items.push(item);
  persist();
  await flush();
  if (!results.has(item.key) && waiting(item.key)) await flush(); // a run already under way missed it
  const result = results.get(item.key);
  results.delete(item.key);
  if (!result) return { sent: false };
  if (result.error) {
    discard(item.key);
    throw result.error;
  }
  return { sent: true, data: result.data };
}

function waiting(key) {
  return outbox.items.some((item) => item.key === key);
}

export function discard(key) {
  const i = outbox.items.findIndex((item) => item.key === key);
  if (i >= 0) outbox.items.splice(i, 1);
  persist();
}

let running = null;

export function flush() {
  if (!running) {
    running = send().finally(() => {
      running = null;
    });
  }
  return running;
}

async function send() {
  if (!auth.session) return;
  outbox.sending = true;
  try {
    for (const item of mine()) {
      if (item.error) continue; // refused: waits for the user to read it and discard it
      try {
        const data = await gql(item.query, item.variables, { key: item.key });
        results.set(item.key, { data });
        discard(item.key);
      } catch (e) {
        // Still offline, or signed out: the write waits for the connection or the next login.
        if (e instanceof NetworkError || e.code === "UNAUTHENTICATED") break;
        results.set(item.key, { error: e });
        item.error = e.message;
        persist();
      }
    }
  } finally {
    outbox.sending = false;
  }
}

window.addEventListener("online", () => flush());
