// A GraphQL subscription over WebSocket (protocol graphql-transport-ws, see docs/youth.md):
// the token goes in connection_init, since a browser cannot set headers on a WebSocket.
// The connection comes back by itself after a network loss, with a fresh token.
import { accessToken } from "./api.js";

export function subscribe(query, variables, onData, onState = () => {}) {
  let socket = null;
  let stopped = false;
  let attempt = 0;
  let retryTimer = null;

  async function open() {
    if (stopped) return;
    let token;
    try {
      token = await accessToken();
    } catch {
      token = null;
    }
    if (stopped) return;
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    socket = new WebSocket(`${scheme}//${location.host}/graphql`, "graphql-transport-ws");
    socket.onopen = () => {
      const payload = token ? { authorization: `Bearer ${token}` } : {};
      socket.send(JSON.stringify({ type: "connection_init", payload }));
    };
    socket.onmessage = (event) => {
      const message = JSON.parse(event.data);
      if (message.type === "connection_ack") {
        attempt = 0;
        onState("live");
        socket.send(
          JSON.stringify({ id: "1", type: "subscribe", payload: { query, variables } }),
        );
      } else if (message.type === "next" && message.payload.data) {
        onData(message.payload.data);
      } else if (message.type === "ping") {
        socket.send(JSON.stringify({ type: "pong" }));
      }
    };
    socket.onclose = (event) => {
      onState("offline");
      if (stopped || event.code === 4403) return; // 4403: no valid login, do not insist
      attempt += 1;
      retryTimer = setTimeout(open, Math.min(30000, 1000 * 2 ** attempt));
    };
  }

  open();
  return () => {
    stopped = true;
    clearTimeout(retryTimer);
    if (socket) socket.close(1000);
  };
}
