// Policy changes waiting to be previewed and applied together (kept for this tab only).
import { reactive, watch } from "vue";

const KEY = "youthlink.pendingPolicy";
export const pending = reactive({ changes: JSON.parse(sessionStorage.getItem(KEY) || "[]") });
watch(() => pending.changes, (c) => sessionStorage.setItem(KEY, JSON.stringify(c)), { deep: true });

// `change` is a PolicyChangeInput plus `text`, the line the user reads.
export function queue(change) {
  const same = (c) => JSON.stringify({ ...c, text: 0 }) === JSON.stringify({ ...change, text: 0 });
  if (!pending.changes.some(same)) pending.changes.push(change);
}
export function clearPending() {
  pending.changes.splice(0);
}
export function asInput(change) {
  const { text, ...input } = change;
  return input;
}
