// The one door to the server: POST /graphql with the login's bearer token. The login lives
// in localStorage so that it survives a closed page; the access token (15 minutes) is
// renewed in the background with the single-use refresh token (30 days).
const { reactive } = Vue;

const STORE = "youthlink.m.session";
export const CACHE = "youthlink.m.cache."; // + user id + page: the last answers, for offline use
const EARLY_MS = 90 * 1000; // renew this long before the access token expires

export class ApiError extends Error {
  constructor(message, code, extensions = {}) {
    super(message);
    this.code = code;
    this.extensions = extensions;
  }
}

// No answer from the server at all (offline, a proxy's error page): worth retrying later.
export class NetworkError extends Error {}

function read() {
  try {
    return JSON.parse(localStorage.getItem(STORE)) || null;
  } catch {
    return null;
  }
}

// `auth.session`: { kind: "cadre" | "youth", userId, name, accessToken, accessTokenExpiresAt,
// refreshToken, refreshTokenExpiresAt } or null when signed out.
export const auth = reactive({ session: read() });

function store(session) {
  auth.session = session;
  if (session) localStorage.setItem(STORE, JSON.stringify(session));
  else {
    localStorage.removeItem(STORE);
    forgetCache(); // a shared phone: the next person must not see this one's lists
  }
  schedule();
}

function forgetCache() {
  const keys = [];
  for (let i = 0; i < localStorage.length; i++) keys.push(localStorage.key(i));
  for (const k of keys) if (k && k.startsWith(CACHE)) localStorage.removeItem(k);
}

async function post(body, headers = {}) {
  let response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
  } catch {
    throw new NetworkError("网络不可用，请检查网络连接");
  }
  try {
    return await response.json();
  } catch {
    throw new NetworkError(`服务器暂时无法访问（${response.status}）`);
  }
}

function firstError(json) {
  const e = json.errors && json.errors[0];
  return e ? new ApiError(e.message, (e.extensions || {}).code, e.extensions || {}) : null;
}

const REFRESH = `mutation($t: String!) { refreshToken(refreshToken: $t) {
  accessToken accessTokenExpiresAt refreshToken refreshTokenExpiresAt } }`;

let refreshing = null;

function nearExpiry(session) {
  return Date.parse(session.accessTokenExpiresAt) - Date.now() < EARLY_MS;
}

// Renew the pair once, even with several tabs open: a refresh token is single use and
// presenting a spent one ends the login, so tabs take turns (Web Locks where the browser
// has them) and a tab that finds a pair renewed by another simply adopts it.
export function refresh(force = false) {
  if (!refreshing) {
    const run = async () => {
      const saved = read();
      if (!saved) return store(null);
      if (!force && !nearExpiry(saved)) return store(saved);
      if (force && auth.session && saved.accessToken !== auth.session.accessToken) {
        return store(saved);
      }
      const json = await post({ query: REFRESH, variables: { t: saved.refreshToken } });
      const err = firstError(json);
      if (err) {
        if (err.code === "UNAUTHENTICATED") store(null);
        throw err;
      }
      store({ ...saved, ...json.data.refreshToken });
    };
    const locked = navigator.locks ? () => navigator.locks.request(STORE, run) : run;
    refreshing = locked().finally(() => {
      refreshing = null;
    });
  }
  return refreshing;
}

async function freshToken() {
  const s = auth.session;
  if (!s) return null;
  if (nearExpiry(s)) await refresh();
  return auth.session && auth.session.accessToken;
}

export async function accessToken() {
  return freshToken();
}

// Run one operation. `key` sends an Idempotency-Key: a retry with the same key and the same
// request gets the first answer back, and nothing is written twice.
export async function gql(query, variables = {}, { key = null, anonymous = false } = {}) {
  const send = async () => {
    const headers = {};
    const token = anonymous ? null : await freshToken();
    if (token) headers.authorization = `Bearer ${token}`;
    if (key) headers["idempotency-key"] = key;
    return post({ query, variables }, headers);
  };
  let json = await send();
  let err = firstError(json);
  if (err && err.code === "UNAUTHENTICATED" && !anonymous && auth.session) {
    // Expired while we slept (a phone in a pocket): renew once and try again.
    try {
      await refresh(true);
    } catch (e) {
      if (e instanceof NetworkError) throw e;
      store(null);
      throw err;
    }
    json = await send();
    err = firstError(json);
  }
  if (err) throw err;
  return json.data;
}

const ME = `{ me { user { id displayName } cadre { id name } youth { id name } } }`;

// `client: MOBILE` is what makes this login, and everything written under it, count as
// mobile use.
export async function signIn(payload) {
  const tokens = { ...payload };
  store({ ...tokens, kind: null });
  const { me } = await gql(ME);
  const kind = me.cadre ? "cadre" : me.youth ? "youth" : null;
  if (!kind) {
    await signOut();
    throw new ApiError("手机端仅供团干部和小伙伴使用，请使用电脑端", "FORBIDDEN");
  }
  store({ ...tokens, kind, userId: me.user.id, name: (me.cadre || me.youth).name });
  return auth.session;
}

export async function loginWithPassword(username, password) {
  const data = await gql(
    `mutation($u: String!, $p: String!) { login(username: $u, password: $p, client: MOBILE) {
      accessToken accessTokenExpiresAt refreshToken refreshTokenExpiresAt } }`,
    { u: username, p: password },
    { anonymous: true },
  );
  return signIn(data.login);
}

export async function requestCode(mobile) {
  const data = await gql(
    `mutation($m: String!) { requestLoginCode(mobile: $m) { retryAfterSeconds } }`,
    { m: mobile },
    { anonymous: true },
  );
  return data.requestLoginCode.retryAfterSeconds;
}

export async function loginWithCode(mobile, code) {
  const data = await gql(
    `mutation($m: String!, $c: String!) { loginWithCode(mobile: $m, code: $c, client: MOBILE) {
      accessToken accessTokenExpiresAt refreshToken refreshTokenExpiresAt } }`,
    { m: mobile, c: code },
    { anonymous: true },
  );
  return signIn(data.loginWithCode);
}

export async function signOut() {
  try {
    if (auth.session) await gql(`mutation { logout }`);
  } catch {
    // offline or already ended: forget the login here all the same
  }
  store(null);
}

let timer = null;

function schedule() {
  clearTimeout(timer);
  const s = auth.session;
  if (!s || !s.accessTokenExpiresAt) return;
  const wait = Math.max(0, Date.parse(s.accessTokenExpiresAt) - Date.now() - EARLY_MS);
  timer = setTimeout(() => refresh().catch(() => {}), wait);
}

// A phone wakes a page that slept past its timer: check on return.
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible" && auth.session) refresh().catch(() => {});
});
// Another tab signed out or renewed the pair.
window.addEventListener("storage", (event) => {
  if (event.key === STORE) {
    auth.session = read();
    schedule();
  }
});
schedule();
