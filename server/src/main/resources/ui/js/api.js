// Calls to Quorum's FHIR and DICOMweb APIs with the access token. An expired or refused token is
// refreshed once and the call repeated; when no refresh is possible the app signs in again (the
// drafts are already saved locally, so nothing typed is lost).
import * as auth from './auth.js';

export class ApiError extends Error {
  constructor(status, message, code) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

function outcomeMessage(status, body) {
  try {
    const json = JSON.parse(body);
    if (json.resourceType === 'OperationOutcome') {
      const issue = json.issue?.[0] || {};
      const code = (issue.diagnostics || '').match(/WORKFLOW-\d+/)?.[0] || issue.details?.coding?.[0]?.code;
      return { message: issue.diagnostics || issue.details?.text || `HTTP ${status}`, code };
    }
    if (json.error) return { message: json.error_description || json.error };
  } catch {
    // not JSON: the text itself
  }
  return { message: body ? body.slice(0, 300) : `HTTP ${status}` };
}

let onSignInNeeded = () => auth.signIn(location.hash || '#/');

/** What to do when the session cannot be renewed (the app saves state first). */
export function whenSignInNeeded(handler) {
  onSignInNeeded = handler;
}

async function send(path, options, retried = false) {
  const token = await auth.freshToken();
  const headers = { ...(options.headers || {}) };
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(path, { ...options, headers });
  if (response.status === 401 && !retried) {
    if (await auth.refresh()) return send(path, options, true);
    await onSignInNeeded();
    throw new ApiError(401, 'Your session ended; signing in again.');
  }
  return response;
}

async function json(path, options = {}) {
  const response = await send(path, {
    ...options,
    headers: { Accept: 'application/fhir+json', ...(options.body ? { 'Content-Type': 'application/fhir+json' } : {}), ...(options.headers || {}) },
  });
  if (response.status === 204) return null;
  const text = await response.text();
  if (!response.ok) {
    const { message, code } = outcomeMessage(response.status, text);
    throw new ApiError(response.status, message, code);
  }
  return text ? JSON.parse(text) : null;
}

export const fhir = {
  read: (reference) => json(`/fhir/${reference}`),
  search: (query) => json(`/fhir/${query}`),
  operation: (path, parameters) => json(`/fhir/${path}`, { method: 'POST', body: JSON.stringify(parameters || { resourceType: 'Parameters' }) }),
  get: (path) => json(`/fhir/${path}`),
};

/** Every resource of a search, following next links (bounded). */
export async function all(query, limit = 500) {
  const found = [];
  let bundle = await fhir.search(query);
  while (bundle) {
    for (const entry of bundle.entry || []) if (entry.resource) found.push(entry.resource);
    const next = bundle.link?.find((l) => l.relation === 'next')?.url;
    if (!next || found.length >= limit) break;
    const url = new URL(next, location.origin);
    bundle = await json(url.pathname + url.search);
  }
  return found;
}

/** DICOM JSON from DICOMweb (WADO-RS metadata, QIDO-RS). */
export async function dicomJson(path) {
  const response = await send(path, { headers: { Accept: 'application/dicom+json' } });
  const text = await response.text();
  if (!response.ok) {
    const { message } = outcomeMessage(response.status, text);
    throw new ApiError(response.status, message);
  }
  return text ? JSON.parse(text) : [];
}

/** A rendered DICOM frame (PS3.18 rendered resource) as an object URL. */
export async function renderedFrame(study, series, instance, frame, window) {
  const params = new URLSearchParams();
  if (window) params.set('window', `${window.center},${window.width},linear`);
  const path = `/dicomweb/studies/${study}/series/${series}/instances/${instance}/frames/${frame}/rendered${params.size ? `?${params}` : ''}`;
  const response = await send(path, { headers: { Accept: 'image/png' } });
  if (!response.ok) {
    const { message } = outcomeMessage(response.status, await response.text());
    throw new ApiError(response.status, message);
  }
  return URL.createObjectURL(await response.blob());
}

/** Parameters helpers. */
export function param(parameters, name) {
  return parameters?.parameter?.find((p) => p.name === name);
}

export function params(parameters, name) {
  return (parameters?.parameter || []).filter((p) => p.name === name);
}
