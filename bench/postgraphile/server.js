// PostGraphile v4 in library mode over the benchmark database, as the application role (RLS):
// every request's bearer token (HS256, the same secret and claims as Kinerja) sets app.tenant_id.
"use strict";
const cluster = require("cluster");
const http = require("http");
const jwt = require("jsonwebtoken");
const { postgraphile } = require("postgraphile");

const workers = Number(process.env.WORKERS || 2);
const port = Number(process.env.PORT || 8102);
const secret = process.env.KINERJA_SECRET_KEY;

if (cluster.isPrimary && workers > 1) {
  cluster.schedulingPolicy = cluster.SCHED_NONE; // workers accept from the shared socket, as uvicorn's do
  for (let i = 0; i < workers; i += 1) cluster.fork();
  cluster.on("exit", (worker, code) => {
    if (code !== 0) process.exit(code);
  });
} else {
  const claimsOf = (req) => {
    const header = req.headers.authorization || "";
    if (!header.startsWith("Bearer ")) return null;
    try {
      return jwt.verify(header.slice(7), secret, { algorithms: ["HS256"], audience: "kinerja-api", issuer: "kinerja" });
    } catch (err) {
      return null;
    }
  };
  const middleware = postgraphile(process.env.DATABASE_URL, ["public", "postgraphile_bench"], {
    graphiql: false,
    disableQueryLog: true,
    disableDefaultMutations: true,
    ignoreRBAC: false,
    setofFunctionsContainNulls: false,
    retryOnInitFail: false,
    pgSettings: (req) => ({ "app.tenant_id": req.claims.tid, "app.user_id": req.claims.sub }),
  });
  http.createServer((req, res) => {
    if (req.url.startsWith("/graphql")) {
      req.claims = claimsOf(req);
      if (!req.claims) {
        res.writeHead(401, { "content-type": "application/json" });
        res.end('{"errors":[{"message":"Invalid or expired access token"}]}');
        return;
      }
    }
    middleware(req, res);
  }).listen(port, "127.0.0.1");
}
