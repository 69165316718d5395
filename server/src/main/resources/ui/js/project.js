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
  const concepts = [];
  const walk = (list) => (list || []).forEach((c) => { concepts.push({ code: c.code, display: c.display || c.code }); walk(c.concept); });
  walk(codeSystem?.concept);
  const schema = { system, version, concepts, study, policy };
  cache.set(projectRef, schema);
  return schema;
}
