// The peer for `make bench-peer`: PostGraphile 5 (amber preset) on the bench database as the
// role `peer_visitor`, so row-level security (bench/peer.sql) decides what each caller sees.
// The caller is this project's own access token: verified with the same secret, its `sub`
// handed to PostgreSQL as the setting jwt.claims.sub. Run by bench/peer.py from var/peer.
"use strict";
const { createServer } = require("node:http");
const jwt = require("jsonwebtoken");
const { postgraphile } = require("postgraphile");
const { grafserv } = require("postgraphile/grafserv/node");
const { PostGraphileAmberPreset } = require("postgraphile/presets/amber");
const { makePgService } = require("postgraphile/adaptors/pg");

const port = Number(process.env.PEER_PORT);
const secret = process.env.PEER_JWT_SECRET;

const preset = {
  extends: [PostGraphileAmberPreset],
  pgServices: [
    makePgService({
      connectionString: process.env.PEER_DATABASE_URL,
      schemas: ["public", "peer"],
      poolConfig: { max: 10 },
    }),
  ],
  grafserv: { port, graphiql: false, watch: false, maxRequestLength: 100000 },
  grafast: {
    explain: false,
    context(requestContext) {
      const header = requestContext.node?.req?.headers?.authorization ?? "";
      const [scheme, token] = header.split(" ");
      if (scheme?.toLowerCase() !== "bearer" || !token) return {};
      const claims = jwt.verify(token, secret, { algorithms: ["HS256"] });
      if (claims.typ !== "access") throw new Error("not an access token");
      return { pgSettings: { "jwt.claims.sub": String(claims.sub) } };
    },
  },
};

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
server.on("error", (e) => {
  console.error(e);
  process.exit(1);
});
serv.addTo(server).then(() => {
  server.listen(port, "127.0.0.1", () => console.log(`peer listening on ${port}`));
});
