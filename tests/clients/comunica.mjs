// Run SPARQL queries with Comunica (the engine of @comunica/query-sparql) against a SPARQL endpoint, as its users do
// from node, and print what it got as JSON: for each query, the answer and the HTTP requests Comunica made for it.
//
//   node comunica.mjs < jobs.json
//
// jobs.json is a list of {endpoint, form, query, source}: form is select, ask or graph (CONSTRUCT and DESCRIBE);
// source "sparql" names the source's type, as most scripts do; "auto" gives the bare URL and lets Comunica find out
// from the service description that it is an endpoint.
import { QueryEngine } from '@comunica/query-sparql';

let input = '';
for await (const chunk of process.stdin) input += chunk;

const engine = new QueryEngine();
const answers = [];
for (const { endpoint, form, query, source } of JSON.parse(input)) {
  const requests = [];
  const recordingFetch = async (url, init = {}) => {
    const headers = new Headers(init.headers);
    requests.push({ method: init.method ?? 'GET', url: String(url instanceof Request ? url.url : url),
                    accept: headers.get('accept'), contentType: headers.get('content-type') });
    return fetch(url, init);
  };
  const context = { sources: [source === 'auto' ? endpoint : { type: 'sparql', value: endpoint }], fetch: recordingFetch };
  let result;
  if (form === 'select') {
    const bindings = await (await engine.queryBindings(query, context)).toArray();
    result = bindings.map((binding) => Object.fromEntries([...binding].map(([variable, term]) => [variable.value, term.value])));
  } else if (form === 'ask') {
    result = await engine.queryBoolean(query, context);
  } else {
    const quads = await (await engine.queryQuads(query, context)).toArray();
    result = quads.map((quad) => [quad.subject.value, quad.predicate.value, quad.object.value]);
  }
  await engine.invalidateHttpCache();
  answers.push({ result, requests });
}
process.stdout.write(JSON.stringify(answers));
