// graphql-http's GraphQL-over-HTTP audit against a running server: node audit.mjs http://host:port/graphql
// Prints one JSON object: the counts per result and every audit that was not ok.
import { auditServer } from 'graphql-http';

const results = await auditServer({ url: process.argv[2] });
const counts = { ok: 0, notice: 0, warn: 0, error: 0 };
const problems = [];
for (const result of results) {
  counts[result.status] += 1;
  if (result.status !== 'ok') {
    problems.push({ id: result.id, name: result.name, status: result.status, reason: result.reason });
  }
}
process.stdout.write(JSON.stringify({ counts, problems }, null, 1) + '\n');
