// PostGraphile 5 in library mode over the benchmark database, configured like the v4 server beside it
// (../postgraphile/server.js): the application role (RLS), the same schemas and benchmark functions,
// the same v4 options through makeV4Preset (so both answer the same documents), and every request's
// bearer token (HS256, the same secret and claims as Kinerja) setting app.tenant_id and app.user_id.
import cluster from "node:cluster";
import { createServer } from "node:http";

import jwt from "jsonwebtoken";
import { postgraphile } from "postgraphile";
import { makePgService } from "postgraphile/adaptors/pg";
import { grafserv } from "postgraphile/grafserv/node";
import { makeV4Preset } from "postgraphile/presets/v4";

const workers = Number(process.env.WORKERS || 2);
const port = Number(process.env.PORT || 8104);
const secret = process.env.KINERJA_SECRET_KEY;

function claimsOf(req) {
  const header = req.headers.authorization || "";
  if (!header.startsWith("Bearer ")) return null;
  try {
    return jwt.verify(header.slice(7), secret, { algorithms: ["HS256"], audience: "kinerja-api", issuer: "kinerja" });
  } catch (err) {
    return null;
  }
}

const preset = {
  extends: [
    makeV4Preset({
      disableDefaultMutations: true,
      ignoreRBAC: false,
      setofFunctionsContainNulls: false,
      graphiql: false,
    }),
  ],
  pgServices: [
    makePgService({
      connectionString: process.env.DATABASE_URL,
      schemas: ["public", "postgraphile_bench"],
      poolConfig: { max: 10 }, // pg's default, as v4's pool
    }),
  ],
  grafast: {
    explain: false,
    context(requestContext) {
      const claims = requestContext.node?.req?.claims;
      return { pgSettings: { "app.tenant_id": claims.tid, "app.user_id": claims.sub } };
    },
  },
  grafserv: { graphiql: false, watch: false, maxRequestLength: 1_000_000 },
};

if (cluster.isPrimary && workers > 1) {
  cluster.schedulingPolicy = cluster.SCHED_NONE; // workers accept from the shared socket, as uvicorn's do
  for (let i = 0; i < workers; i += 1) cluster.fork();
  cluster.on("exit", (worker, code) => {
    if (code !== 0) process.exit(code);
  });
} else {
  const serv = postgraphile(preset).createServ(grafserv);
  const handler = serv.createHandler();
  createServer((req, res) => {
    if (req.url.startsWith("/graphql")) {
      req.claims = claimsOf(req);
      if (!req.claims) {
        res.writeHead(401, { "content-type": "application/json" });
        res.end('{"errors":[{"message":"Invalid or expired access token"}]}');
        return;
      }
    }
    handler(req, res);
  }).listen(port, "127.0.0.1");
}
