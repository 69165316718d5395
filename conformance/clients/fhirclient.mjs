// SMART on FHIR's fhirclient (the Node build), unchanged, against Quorum with an access token:
// search, read, create, transaction and an operation. Its Node adapter is made for a server
// handling a browser's request (Express, plain Node); a command-line script has none, so it
// passes a stand-in with the few fields the adapter reads. Env as fhir-kit-client.mjs.
import smart from 'fhirclient';
import { check, env, expect, finish } from './checks.mjs';

const standIn = { headers: { host: 'localhost' }, url: '/', socket: {}, session: {} };
const client = smart(standIn, {}).client({
  serverUrl: env('QUORUM_FHIR'),
  tokenResponse: { access_token: env('QUORUM_TOKEN'), token_type: 'Bearer' },
});
const run = env('QUORUM_RUN');
const system = 'https://quorum.dev/fhir/pseudonym';
let created;

await check('fhirclient', 'create', async () => {
  created = await client.create({ resourceType: 'Patient', identifier: [{ system, value: `fhirclient-${run}` }], gender: 'male' });
  expect(created.resourceType === 'Patient' && created.id, `no Patient came back: ${JSON.stringify(created)}`);
  return `Patient/${created.id}`;
});

await check('fhirclient', 'read', async () => {
  const patient = await client.request(`Patient/${created.id}`);
  expect(patient.identifier[0].value === `fhirclient-${run}`, 'read returned another Patient');
  return `Patient/${patient.id}`;
});

await check('fhirclient', 'search', async () => {
  const bundle = await client.request(`Patient?identifier=${encodeURIComponent(`${system}|fhirclient-${run}`)}`);
  expect(bundle.type === 'searchset' && bundle.total === 1, `searchset with 1 match expected: ${JSON.stringify(bundle).slice(0, 300)}`);
  return `${bundle.total} match`;
});

await check('fhirclient', 'transaction', async () => {
  const response = await client.request({
    url: '',
    method: 'POST',
    headers: { 'Content-Type': 'application/fhir+json' },
    body: JSON.stringify({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          resource: { resourceType: 'Patient', identifier: [{ system, value: `fhirclient-tx-${run}` }] },
          request: { method: 'POST', url: 'Patient', ifNoneExist: `identifier=${system}|fhirclient-tx-${run}` },
        },
      ],
    }),
  });
  expect(response.type === 'transaction-response', `transaction-response expected: ${JSON.stringify(response).slice(0, 300)}`);
  return response.entry.map((e) => `${e.response.status} ${e.response.location}`).join(', ');
});

await check('fhirclient', 'operation', async () => {
  const report = await client.request(`ResearchStudy/${env('QUORUM_PROJECT')}/$class-balance`);
  expect(report.resourceType === 'MeasureReport', `MeasureReport expected: ${JSON.stringify(report).slice(0, 300)}`);
  return `MeasureReport with ${report.group.length} groups`;
});

finish();
