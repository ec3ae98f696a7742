// Run one SPARQL query with Comunica (the engine of @comunica/query-sparql) against a SPARQL endpoint, as its users
// do from node, and print what it got as JSON: the answer, and the HTTP requests Comunica made to get it.
//
//   node comunica.mjs ENDPOINT FORM QUERY [sparql|auto]
//
// FORM is select, ask or graph (CONSTRUCT and DESCRIBE). "sparql" names the source's type, as most scripts do;
// "auto" gives the bare URL and lets Comunica find out from the service description that it is an endpoint.
import { QueryEngine } from '@comunica/query-sparql';

const [endpoint, form, query, source = 'sparql'] = process.argv.slice(2);
const requests = [];
const recordingFetch = async (input, init = {}) => {
  const headers = new Headers(init.headers);
  requests.push({
    method: init.method ?? 'GET',
    url: String(input instanceof Request ? input.url : input),
    accept: headers.get('accept'),
    contentType: headers.get('content-type'),
  });
  return fetch(input, init);
};

const engine = new QueryEngine();
const context = {
  sources: [source === 'auto' ? endpoint : { type: 'sparql', value: endpoint }],
  fetch: recordingFetch,
};
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
process.stdout.write(JSON.stringify({ result, requests }));
