// The console's only way to the server: POST /graphql, with the session's bearer token.
// The session (access + refresh token) lives in localStorage so that a reload keeps it; the
// access token is renewed in the background a minute before it expires, and once more when a
// request finds it expired. Refresh tokens rotate and a reused one ends the whole login, so a
// refresh runs under a Web Lock shared by every tab, and a tab adopts what another just got.

import { reactive } from "vue";

const KEY = "youthlink.session";
const RENEW_BEFORE_MS = 60_000;

export class ApiError extends Error {
  constructor(message, code, extensions = {}) {
    super(message);
    this.code = code;
    this.extensions = extensions;
  }
}

export const session = reactive({ access: null, refresh: null, accessExpiresAt: null });

function load() {
  try {
    Object.assign(session, JSON.parse(localStorage.getItem(KEY)) || {});
  } catch {
    localStorage.removeItem(KEY);
  }
}

function save(payload) {
  if (payload) {
    Object.assign(session, {
      access: payload.accessToken,
      refresh: payload.refreshToken,
      accessExpiresAt: payload.accessTokenExpiresAt,
    });
    localStorage.setItem(KEY, JSON.stringify({ ...session }));
  } else {
    Object.assign(session, { access: null, refresh: null, accessExpiresAt: null });
    localStorage.removeItem(KEY);
  }
  schedule();
}

let timer = null;
function schedule() {
  clearTimeout(timer);
  if (!session.refresh || !session.accessExpiresAt) return;
  const wait = new Date(session.accessExpiresAt).getTime() - Date.now() - RENEW_BEFORE_MS;
  timer = setTimeout(() => renew().catch(() => {}), Math.max(wait, 0));
}

async function post(query, variables, token) {
  const headers = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  let res;
  try {
    res = await fetch("/graphql", {
      method: "POST",
      headers,
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new ApiError("无法连接服务器，请检查网络", "NETWORK");
  }
  let body;
  try {
    body = await res.json();
  } catch {
    throw new ApiError(`服务器返回异常（HTTP ${res.status}）`, "HTTP");
  }
  if (body.errors?.length) {
    const e = body.errors[0];
    throw new ApiError(e.message, e.extensions?.code || "ERROR", e.extensions || {});
  }
  return body.data;
}

const REFRESH = `mutation($t: String!) { refreshToken(refreshToken: $t) {
  accessToken accessTokenExpiresAt refreshToken refreshTokenExpiresAt } }`;

let renewing = null;
// Renew the pair once, whoever asks; under a lock across tabs when the browser has one.
export function renew() {
  if (!renewing) {
    const run = async () => {
      const stored = JSON.parse(localStorage.getItem(KEY) || "null");
      if (stored?.refresh && stored.refresh !== session.refresh) {
        Object.assign(session, stored); // another tab renewed already
        schedule();
        return;
      }
      if (!session.refresh) throw new ApiError("请先登录", "UNAUTHENTICATED");
      try {
        save((await post(REFRESH, { t: session.refresh })).refreshToken);
      } catch (e) {
        if (e.code !== "NETWORK") onSessionEnd(e.message);
        throw e;
      }
    };
    const locked = navigator.locks ? navigator.locks.request(KEY, run) : run();
    renewing = locked.finally(() => {
      renewing = null;
    });
  }
  return renewing;
}

let sessionEndHandler = () => {};
export function onSessionEnded(handler) {
  sessionEndHandler = handler;
}
function onSessionEnd(reason) {
  save(null);
  sessionEndHandler(reason);
}

// One GraphQL operation; a request that finds its token expired renews it and tries again.
export async function gql(query, variables = {}) {
  try {
    return await post(query, variables, session.access);
  } catch (e) {
    if (e.code !== "UNAUTHENTICATED" || !session.refresh) throw e;
    await renew();
    return post(query, variables, session.access);
  }
}

const LOGIN = `mutation($u: String!, $p: String!) { login(username: $u, password: $p, client: WEB) {
  accessToken accessTokenExpiresAt refreshToken refreshTokenExpiresAt } }`;

export async function login(username, password) {
  save((await post(LOGIN, { u: username, p: password })).login);
}

export async function logout() {
  try {
    if (session.access) await gql("mutation { logout }");
  } finally {
    save(null);
  }
}

export function loggedIn() {
  return Boolean(session.access || session.refresh);
}

load();
schedule();
window.addEventListener("storage", (event) => {
  if (event.key !== KEY) return;
  load(); // another tab logged in, renewed or logged out
  if (!session.refresh) sessionEndHandler("已在其他窗口退出登录");
  schedule();
});
