// Runs the GraphQL-over-HTTP server audits of `graphql-http` against a
// running server and prints every result. Exits 1 when any MUST fails (or
// when an audit cannot run at all), 0 otherwise: SHOULD and MAY failures are
// printed as warnings and notices.
//
// Usage: node audit.mjs http://127.0.0.1:8080/graphql
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs <GraphQL endpoint URL>');
  process.exit(2);
}

const label = { ok: 'ok   ', warn: 'WARN ', notice: 'note ', error: 'ERROR' };
const results = [];
for (const audit of serverAudits({ url, fetchFn: fetch })) {
  let result;
  try {
    result = await audit.fn();
  } catch (error) {
    // graphql-http throws only when an audit cannot run (e.g. no server).
    result = { id: audit.id, name: audit.name, status: 'error', reason: `audit crashed: ${error}` };
  }
  results.push(result);
  const reason = result.status === 'ok' ? '' : `\n        ${result.reason}`;
  console.log(`${label[result.status] ?? result.status} [${result.id}] ${result.name}${reason}`);
}

const levels = ['MUST', 'SHOULD', 'MAY'];
console.log('');
for (const level of levels) {
  const of = results.filter((r) => r.name.startsWith(`${level} `));
  const passed = of.filter((r) => r.status === 'ok').length;
  console.log(`${level}: ${passed}/${of.length} passed`);
}
const failedMusts = results.filter((r) => r.status === 'error');
if (failedMusts.length > 0) {
  console.error(`\n${failedMusts.length} MUST audit(s) failed: the server does not conform`);
  process.exit(1);
}
console.log('\nevery MUST passed');
