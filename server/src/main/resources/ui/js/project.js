// What the clinician works on: their PractitionerRole (the token's fhirUser), its project, the
// project's review policy and label schema (the palette).
import { fhir, all } from './api.js';

export const EXT_PROJECT = 'https://quorum.dev/fhir/StructureDefinition/quorum-project';
export const EXT_POLICY = 'https://quorum.dev/fhir/StructureDefinition/quorum-review-policy';
export const EXT_SPAN = 'https://quorum.dev/fhir/StructureDefinition/quorum-text-span';
export const EXT_REGION = 'https://quorum.dev/fhir/StructureDefinition/quorum-image-region';
export const EXT_CONFIDENCE = 'https://quorum.dev/fhir/StructureDefinition/quorum-confidence';
export const EXT_REASONING = 'https://quorum.dev/fhir/StructureDefinition/quorum-reasoning';
export const CS_PARAMETER = 'https://quorum.dev/fhir/CodeSystem/quorum-task-parameter';

const cache = new Map();

export function ext(resource, url) {
  return (resource?.extension || []).find((e) => e.url === url);
}

export function sub(extension, url) {
  return (extension?.extension || []).find((e) => e.url === url);
}

export function refOf(resource) {
  return `${resource.resourceType}/${resource.id}`;
}

/** Task inputs / outputs by quorum-task-parameter code. */
export function inputs(task, code) {
  return (task.input || []).filter((i) => i.type?.coding?.some((c) => c.code === code));
}

export function outputs(task, code) {
  return (task.output || []).filter((i) => i.type?.coding?.some((c) => c.code === code));
}

export function stageOf(task) {
  return task.code?.coding?.[0]?.code;
}

export function projectOfTask(task) {
  return ext(task, EXT_PROJECT)?.valueReference?.reference;
}

/** The project the signed-in clinician belongs to (via their PractitionerRole). */
export async function myProject(fhirUser) {
  if (!fhirUser) return null;
  const role = await fhir.read(fhirUser.match(/(PractitionerRole\/[^/]+)$/)?.[1] || fhirUser);
  return ext(role, EXT_PROJECT)?.valueReference?.reference || null;
}

/** The project's schema: { system, version, concepts: [{code, display}] } and its policy. */
export async function schemaOf(projectRef) {
  if (cache.has(projectRef)) return cache.get(projectRef);
  const study = await fhir.read(projectRef);
  const policy = ext(study, EXT_POLICY);
  const canonical = sub(policy, 'labelSchema')?.valueCanonical || '';
  const [system, version] = canonical.split('|');
  const found = await all(`CodeSystem?url=${encodeURIComponent(system)}${version ? `&version=${encodeURIComponent(version)}` : ''}`);
  const codeSystem = found[0];
  const every = [];
  const retired = (c) => (c.property || []).some((p) => p.code === 'status' && ['retired', 'deprecated'].includes(p.valueCode || p.valueString));
  const walk = (list) => (list || []).forEach((c) => { every.push({ code: c.code, display: c.display || c.code, retired: retired(c) }); walk(c.concept); });
  walk(codeSystem?.concept);
  // The palette: the codes annotators may use, as the server checks them on submit (the schema's
  // codes that are not retired, narrowed by the policy's labelValueSet).
  const allowed = await allowedCodes(sub(policy, 'labelValueSet')?.valueCanonical, system, every);
  const concepts = every.filter((c) => !c.retired && (!allowed || allowed.has(c.code)));
  const schema = { system, version, concepts, all: every, study, policy, valueSet: sub(policy, 'labelValueSet')?.valueCanonical || null };
  cache.set(projectRef, schema);
  return schema;
}

/**
 * The schema codes a ValueSet allows (compose.include of the schema's system, whole or by concept
 * list, minus compose.exclude), or null when there is no ValueSet or it cannot be read here (the
 * server still checks every code on submit).
 */
async function allowedCodes(canonical, system, every) {
  if (!canonical) return null;
  const [url, version] = canonical.split('|');
  let found;
  try {
    found = await all(`ValueSet?url=${encodeURIComponent(url)}${version ? `&version=${encodeURIComponent(version)}` : ''}`);
  } catch {
    return null;
  }
  const compose = found[0]?.compose;
  if (!compose) return null;
  const codes = new Set();
  for (const include of (compose.include || []).filter((i) => i.system === system)) {
    if (include.filter?.length) return null;
    if (include.concept?.length) include.concept.forEach((c) => codes.add(c.code));
    else every.forEach((c) => codes.add(c.code));
  }
  for (const exclude of (compose.exclude || []).filter((i) => i.system === system)) {
    (exclude.concept || []).forEach((c) => codes.delete(c.code));
  }
  return codes;
}
