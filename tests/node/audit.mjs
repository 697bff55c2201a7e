// Runs every GraphQL-over-HTTP server audit of graphql-http against a live endpoint.
//   node audit.mjs http://127.0.0.1:PORT/graphql
// Prints one JSON array on stdout: [{id, name, status: "ok"|"notice"|"warn"|"error", reason?}].
// Exits 0 when the audits ran (whatever they found); tests/e2e/test_graphql_http_audits.py judges.
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs <graphql endpoint url>');
  process.exit(2);
}

const results = [];
for (const { id, name, fn } of serverAudits({ url })) {
  const result = await fn();
  results.push(
    result.status === 'ok'
      ? { id, name, status: 'ok' }
      : { id, name, status: result.status, reason: result.reason },
  );
}
process.stdout.write(JSON.stringify(results, null, 2) + '\n');
