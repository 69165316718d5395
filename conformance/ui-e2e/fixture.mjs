// The project the e2e test works on, built over the FHIR and DICOMweb APIs as a project admin
// would: a label schema, notes and an image study, a calibration set with its reference label,
// the review policy, the roster (PractitionerRoles with the ids the users' fhirUser names), AI
// pre-labels, and the opened cases.
import { readFile } from 'node:fs/promises';

const EXT = 'https://quorum.dev/fhir/StructureDefinition/';
const CS = 'https://quorum.dev/fhir/CodeSystem/';

export const NOTES = {
  calibration: 'Chest film: blunting of the left costophrenic angle, consistent with effusion.',
  case: 'Impression: small left pleural effusion. Patchy opacity in the right lower lobe, likely pneumonia.',
  aiEffusion: 'Findings: moderate right pleural effusion with compressive atelectasis.',
  aiNormal: 'Findings: consolidation of the left upper lobe; pneumonia is the leading diagnosis.',
  aiMedium: 'Findings: small bilateral effusions; patchy opacity at the right base.',
  aiModify: 'Findings: layering left pleural fluid; lungs otherwise clear.',
};

export class Api {
  constructor(base, token) {
    this.base = base;
    this.token = token;
  }

  static async passwordToken(base, username, password) {
    const response = await fetch(`${base}/auth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', username, password, scope: 'user/*.cruds' }),
    });
    const body = await response.json();
    if (response.status !== 200) throw new Error(`password grant for ${username}: ${response.status} ${JSON.stringify(body)}`);
    return body.access_token;
  }

  async request(method, path, body, expect = [200, 201]) {
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers: { Authorization: `Bearer ${this.token}`, Accept: 'application/fhir+json', ...(body ? { 'Content-Type': 'application/fhir+json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    if (!expect.includes(response.status)) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 600)}`);
    return { status: response.status, body: text ? JSON.parse(text) : null };
  }

  async create(resource) {
    return `${resource.resourceType}/${(await this.request('POST', `/fhir/${resource.resourceType}`, resource)).body.id}`;
  }

  async put(reference, resource) {
    await this.request('PUT', `/fhir/${reference}`, { ...resource, id: reference.split('/')[1] });
    return reference;
  }

  async read(reference) {
    return (await this.request('GET', `/fhir/${reference}`)).body;
  }

  async search(query) {
    return ((await this.request('GET', `/fhir/${query}`)).body.entry || []).map((e) => e.resource);
  }

  async operation(path, parameters, expect = [200, 204]) {
    return (await this.request('POST', `/fhir/${path}`, parameters || { resourceType: 'Parameters' }, expect)).body;
  }
}

function note(patient, text) {
  return {
    resourceType: 'DocumentReference', status: 'current',
    type: { coding: [{ system: 'http://loinc.org', code: '11506-3', display: 'Progress note' }] },
    subject: { reference: patient },
    content: [{ attachment: { contentType: 'text/plain', data: Buffer.from(text, 'utf8').toString('base64') } }],
  };
}

function uid() {
  return `2.25.${BigInt(`0x${crypto.randomUUID().replace(/-/g, '')}`).toString()}`;
}

/** Stores a copy of a DICOM file with new UIDs by STOW-RS; the ImagingStudy mirror and the UIDs. */
async function storeImage(api, dicomFile) {
  const bytes = Buffer.from(await readFile(dicomFile));
  const boundary = `ui-e2e-${Date.now()}`;
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`),
    bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const response = await fetch(`${api.base}/dicomweb/studies`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${api.token}`, Accept: 'application/dicom+json', 'Content-Type': `multipart/related; type="application/dicom"; boundary=${boundary}` },
    body,
  });
  if (response.status !== 200) throw new Error(`STOW-RS: ${response.status} ${await response.text()}`);
  return response;
}

/**
 * `moreFiles`: more DICOM files of the same study. `narrowed`: the schema has a fourth code (atelectasis) that the project's labelValueSet leaves
 * out, so that the palette must not offer it.
 */
export async function buildProject(api, { run, roles, dicomFile, studyUid, narrowed = false, moreFiles = [] }) {
  const schema = `https://quorum.dev/fhir/CodeSystem/ui-e2e-${run}`;
  const codes = [{ code: 'effusion', display: 'Effusion' }, { code: 'pneumonia', display: 'Pneumonia' }, { code: 'normal', display: 'Normal' }];
  await api.create({
    resourceType: 'CodeSystem', url: schema, version: '1.0.0', name: 'UiE2eFindings', status: 'active', content: 'complete',
    concept: narrowed ? [codes[0], { code: 'atelectasis', display: 'Atelectasis' }, ...codes.slice(1)] : codes,
  });
  const valueSet = `https://quorum.dev/fhir/ValueSet/ui-e2e-${run}`;
  if (narrowed) {
    await api.create({
      resourceType: 'ValueSet', url: valueSet, version: '1.0.0', name: 'UiE2eAllowed', status: 'active',
      compose: { include: [{ system: schema, version: '1.0.0', concept: codes.map((c) => ({ code: c.code })) }] },
    });
  }
  const patient = () => api.create({ resourceType: 'Patient', identifier: [{ system: 'https://quorum.dev/fhir/pseudonym', value: crypto.randomUUID() }] });
  const sources = {};
  for (const [name, text] of Object.entries(NOTES)) {
    const p = await patient();
    sources[name] = { reference: await api.create(note(p, text)), patient: p, text };
  }
  await storeImage(api, dicomFile);
  for (const file of moreFiles) await storeImage(api, file); // more instances of the same study
  const [study] = await api.search(`ImagingStudy?identifier=${encodeURIComponent(`urn:dicom:uid|urn:oid:${studyUid}`)}`);
  sources.image = { reference: `ImagingStudy/${study.id}`, patient: study.subject.reference };
  const list = (items) => api.create({ resourceType: 'List', status: 'current', mode: 'working', title: 'UI e2e sources', entry: items.map((i) => ({ item: { reference: i } })) });
  const calibrationSet = await list([sources.calibration.reference]);
  const caseList = await list([sources.case.reference, sources.aiEffusion.reference, sources.aiNormal.reference, sources.aiModify.reference]);
  const policy = {
    url: `${EXT}quorum-review-policy`,
    extension: [
      { url: 'labelSchema', valueCanonical: `${schema}|1.0.0` },
      ...(narrowed ? [{ url: 'labelValueSet', valueCanonical: `${valueSet}|1.0.0` }] : []),
      { url: 'caseSource', valueReference: { reference: caseList } },
      { url: 'calibrationSet', valueReference: { reference: calibrationSet } },
      { url: 'blindFraction', valueDecimal: 0 },
      { url: 'maxOpenPerAnnotator', valuePositiveInt: 3 },
    ],
  };
  const project = await api.create({ resourceType: 'ResearchStudy', title: `UI e2e ${run}`, status: 'active', extension: [policy] });
  const practitioner = (name) => api.create({ resourceType: 'Practitioner', name: [{ family: name }] });
  const lead = await api.create({ resourceType: 'PractitionerRole', practitioner: { reference: await practitioner('Lead') } });
  for (const [key, { id, role }] of Object.entries(roles)) {
    await api.put(id, {
      resourceType: 'PractitionerRole',
      practitioner: { reference: await practitioner(key) },
      extension: [{ url: `${EXT}quorum-project`, valueReference: { reference: project } }],
      code: [{ coding: [{ system: `${CS}quorum-project-role`, code: role }] }],
    });
  }
  const label = (source, code, status) => ({
    resourceType: 'Observation',
    meta: { profile: ['https://quorum.dev/fhir/StructureDefinition/quorum-label'] },
    extension: [{ url: `${EXT}quorum-project`, valueReference: { reference: project } }],
    status,
    code: { coding: [{ system: schema, version: '1.0.0', code, display: code[0].toUpperCase() + code.slice(1) }] },
    subject: { reference: source.patient },
    derivedFrom: [{ reference: source.reference }],
  });
  const reference = label(sources.calibration, 'effusion', 'final');
  reference.performer = [{ reference: lead }];
  reference.method = { coding: [{ system: `${CS}quorum-label-method`, code: 'human' }] };
  await api.create(reference);
  const device = await api.create({ resourceType: 'Device', deviceName: [{ name: 'ui-e2e chest model', type: 'model-name' }], version: [{ value: '2.0' }] });
  const ai = (source, code, confidence, quote) => {
    const l = label(source, code, 'preliminary');
    l.device = { reference: device };
    l.method = { coding: [{ system: `${CS}quorum-label-method`, code: 'ai' }] };
    l.extension.push({ url: `${EXT}quorum-confidence`, valueDecimal: confidence });
    if (quote) {
      const start = source.text.indexOf(quote);
      l.extension.push({ url: `${EXT}quorum-text-span`, extension: [
        { url: 'start', valueInteger: start }, { url: 'end', valueInteger: start + quote.length }, { url: 'quote', valueString: quote }] });
    }
    return l;
  };
  await api.operation(`${project}/$submit`, { resourceType: 'Parameters', parameter: [
    { name: 'label', resource: ai(sources.aiEffusion, 'effusion', 0.96, 'right pleural effusion') },
    { name: 'label', resource: ai(sources.aiNormal, 'normal', 0.93, null) },
    { name: 'label', resource: ai(sources.aiModify, 'pneumonia', 0.91, 'left pleural fluid') },
  ] });
  await api.operation(`${project}/$open-cases`);
  return { project, schema, sources, caseList, lead, ai };
}

/** A case with AI labels between the thresholds (0.7): annotators see them as suggestions. */
export async function addAiMediumCase(api, built) {
  const source = built.sources.aiMedium;
  await api.operation(`${built.project}/$submit`, { resourceType: 'Parameters', parameter: [
    { name: 'label', resource: built.ai(source, 'effusion', 0.7, 'bilateral effusions') },
    { name: 'label', resource: built.ai(source, 'normal', 0.7, null) },
  ] });
  await addCase(api, built, source.reference);
}

/** Adds a source to the project's case list and opens it. */
export async function addCase(api, built, source) {
  const list = await api.read(built.caseList);
  list.entry.push({ item: { reference: source } });
  await api.request('PUT', `/fhir/${built.caseList}`, list);
  await api.operation(`${built.project}/$open-cases`);
}
