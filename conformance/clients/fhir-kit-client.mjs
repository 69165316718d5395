// fhir-kit-client, unchanged, against Quorum: search, read, create, transaction and an operation,
// with a bearer token. Env: QUORUM_FHIR (base URL of /fhir), QUORUM_TOKEN, QUORUM_RUN (unique tag),
// QUORUM_PROJECT (ResearchStudy id for the $agreement operation).
import { Client } from 'fhir-kit-client';
import { check, env, expect, finish } from './checks.mjs';

const client = new Client({
  baseUrl: env('QUORUM_FHIR'),
  customHeaders: { Authorization: `Bearer ${env('QUORUM_TOKEN')}` },
});
const run = env('QUORUM_RUN');
const system = 'https://quorum.dev/fhir/pseudonym';
let created;

await check('fhir-kit-client', 'create', async () => {
  created = await client.create({
    resourceType: 'Patient',
    body: { resourceType: 'Patient', identifier: [{ system, value: `fhir-kit-${run}` }], gender: 'female' },
  });
  expect(created.resourceType === 'Patient' && created.id, `no Patient came back: ${JSON.stringify(created)}`);
  return `Patient/${created.id}`;
});

await check('fhir-kit-client', 'read', async () => {
  const patient = await client.read({ resourceType: 'Patient', id: created.id });
  expect(patient.identifier[0].value === `fhir-kit-${run}`, 'read returned another Patient');
  return `Patient/${patient.id} version ${patient.meta.versionId}`;
});

await check('fhir-kit-client', 'search', async () => {
  const bundle = await client.search({ resourceType: 'Patient', searchParams: { identifier: `${system}|fhir-kit-${run}` } });
  expect(bundle.type === 'searchset' && bundle.total === 1, `searchset with 1 match expected: ${JSON.stringify(bundle).slice(0, 300)}`);
  return `${bundle.total} match`;
});

await check('fhir-kit-client', 'transaction', async () => {
  const response = await client.transaction({
    body: {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          fullUrl: 'urn:uuid:6b1f2f2c-0f5e-4b8e-9d2a-000000000001',
          resource: { resourceType: 'Patient', identifier: [{ system, value: `fhir-kit-tx-${run}` }] },
          request: { method: 'POST', url: 'Patient' },
        },
        {
          resource: {
            resourceType: 'DocumentReference',
            status: 'current',
            subject: { reference: 'urn:uuid:6b1f2f2c-0f5e-4b8e-9d2a-000000000001' },
            content: [{ attachment: { contentType: 'text/plain', data: Buffer.from('Impression: normal.').toString('base64') } }],
          },
          request: { method: 'POST', url: 'DocumentReference' },
        },
      ],
    },
  });
  expect(response.type === 'transaction-response' && response.entry.length === 2, 'transaction-response with 2 entries expected');
  expect(response.entry.every((e) => e.response.status.startsWith('201')), 'both entries created');
  return response.entry.map((e) => e.response.location).join(', ');
});

await check('fhir-kit-client', 'operation', async () => {
  const report = await client.operation({
    name: '$agreement',
    resourceType: 'ResearchStudy',
    id: env('QUORUM_PROJECT'),
    method: 'get',
  });
  expect(report.resourceType === 'MeasureReport', `MeasureReport expected: ${JSON.stringify(report).slice(0, 300)}`);
  return `MeasureReport with ${report.group.length} groups`;
});

finish();
