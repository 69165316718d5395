// Sign-in: OAuth 2.0 authorization code with PKCE (RFC 7636, SMART App Launch standalone) on
// Quorum's own issuer or, when the server is set up for one, an external OpenID Connect provider
// (the same flow, a public client there). Tokens live in memory only (never in storage): a reload
// signs in again, the work in progress survives in the drafts (drafts.js).

const PENDING = 'quorum.signin';
// The provider this tab signed in with: a reload or an expired session goes back to it without
// asking again (sessionStorage: per tab, gone with it).
const PROVIDER = 'quorum.provider';

let config = null;
let session = null; // { provider, access, refresh, expiresAt, user }

/** The sign-in providers (/ui/config.json): Quorum's own issuer, and an external one if set up. */
export async function providers() {
  if (!config) {
    const response = await fetch('config.json', { headers: { Accept: 'application/json' } });
    if (!response.ok) throw new Error(`The server's sign-in configuration is unavailable (${response.status})`);
    config = await response.json();
  }
  return config.providers;
}

async function provider(id) {
  const found = (await providers()).find((p) => p.id === id);
  if (!found) throw new Error(`Unknown sign-in provider ${id}`);
  return found;
}

function base64url(bytes) {
  let text = '';
  for (const b of new Uint8Array(bytes)) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomString(bytes) {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

function accept(providerId, tokenResponse) {
  session = {
    ...(session || {}),
    provider: providerId,
    access: tokenResponse.access_token,
    // A provider may not rotate (or not issue) refresh tokens: keep the one we have.
    refresh: tokenResponse.refresh_token || session?.refresh,
    expiresAt: Date.now() + (tokenResponse.expires_in || 300) * 1000,
  };
}

/**
 * The provider to sign in with without asking: the one this tab used before, or the only one.
 * Null when the user must choose.
 */
export async function rememberedProvider() {
  const list = (await providers()).filter((p) => !p.unavailable);
  const id = sessionStorage.getItem(PROVIDER);
  return list.find((p) => p.id === id) || ((await providers()).length === 1 ? list[0] || null : null);
}

/**
 * Sends the browser to the provider's authorization endpoint (authorization code with PKCE);
 * `returnTo` is the route to come back to. Without `providerId`, the remembered provider; false
 * when there is none (the app then shows the choice).
 */
export async function signIn(returnTo, providerId) {
  const chosen = providerId ? await provider(providerId) : await rememberedProvider();
  if (!chosen) return false;
  if (chosen.unavailable) throw new Error(`${chosen.name} is not available: ${chosen.unavailable}`);
  sessionStorage.setItem(PROVIDER, chosen.id);
  const verifier = randomString(48);
  const state = randomString(16);
  const challenge = base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  sessionStorage.setItem(PENDING, JSON.stringify({ provider: chosen.id, verifier, state, returnTo }));
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: chosen.client_id,
    redirect_uri: chosen.redirect_uri,
    scope: chosen.scope,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  if (chosen.aud) params.set('aud', chosen.aud); // SMART: the FHIR server the token is for
  if (chosen.resource) params.set('resource', chosen.resource); // RFC 8707, same meaning
  location.assign(`${chosen.authorization_endpoint}?${params}`);
  return true;
}

async function tokenRequest(chosen, form) {
  if (chosen.resource) form.resource = chosen.resource;
  const response = await fetch(chosen.token_endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    body: new URLSearchParams(form),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new Error(body.error_description || body.error || `token endpoint answered ${response.status}`);
  }
  return body;
}

/** Who the server says the token is for (roles and fhirUser as the server maps them). */
async function whoAmI(chosen) {
  const response = await fetch(config.session_endpoint, { headers: { Authorization: `Bearer ${session.access}`, Accept: 'application/json' } });
  const text = await response.text();
  if (response.status === 403) {
    throw new Error(`You are signed in at ${chosen.name}, but your account holds no Quorum role (annotator, reviewer, adjudicator, project-admin, auditor): ask the project admin.`);
  }
  if (!response.ok) throw new Error(`Quorum does not accept the token of ${chosen.name}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

/**
 * Finishes a sign-in when the page is the redirect back from the authorization endpoint;
 * returns the route to go to, or null when this page load is not a sign-in callback.
 */
export async function completeSignIn() {
  const query = new URLSearchParams(location.search);
  if (!query.has('code') && !query.has('error')) return null;
  const pending = JSON.parse(sessionStorage.getItem(PENDING) || 'null');
  sessionStorage.removeItem(PENDING);
  history.replaceState(null, '', `${location.pathname}${pending?.returnTo || '#/'}`);
  if (query.has('error')) throw new Error(query.get('error_description') || query.get('error'));
  if (!pending || pending.state !== query.get('state')) {
    throw new Error('The sign-in answer does not match the request this page made; sign in again.');
  }
  const chosen = await provider(pending.provider || 'quorum');
  // RFC 9207: a provider that names itself must be the one the request went to (mix-up attacks).
  if (query.has('iss') && query.get('iss') !== chosen.issuer) {
    throw new Error(`The sign-in answer comes from ${query.get('iss')}, not from ${chosen.name}; sign in again.`);
  }
  session = null;
  accept(chosen.id, await tokenRequest(chosen, {
    grant_type: 'authorization_code',
    client_id: chosen.client_id,
    code: query.get('code'),
    redirect_uri: chosen.redirect_uri,
    code_verifier: pending.verifier,
  }));
  try {
    session.user = await whoAmI(chosen);
  } catch (error) {
    session = null;
    throw error;
  }
  return pending.returnTo || '#/';
}

let refreshing = null;

/**
 * Exchanges the refresh token for new tokens; false if it cannot. One exchange at a time: the
 * refresh token rotates, so a second use of the same one would be refused (and end the session).
 */
export function refresh() {
  if (!refreshing) {
    refreshing = (async () => {
      if (!session?.refresh) return false;
      try {
        const chosen = await provider(session.provider);
        accept(chosen.id, await tokenRequest(chosen, { grant_type: 'refresh_token', client_id: chosen.client_id, refresh_token: session.refresh }));
        return true;
      } catch {
        session = null;
        return false;
      }
    })().finally(() => { refreshing = null; });
  }
  return refreshing;
}

export function signedIn() {
  return session !== null;
}

export function accessToken() {
  return session?.access;
}

/** Refreshes a minute before the access token expires. */
export async function freshToken() {
  if (session && Date.now() > session.expiresAt - 60_000) await refresh();
  return session?.access;
}

/** Who is signed in, as the server sees it: user name, roles, fhirUser (the PractitionerRole), projects. */
export function user() {
  const u = session?.user || {};
  return {
    name: u.sub,
    roles: u.roles || [],
    fhirUser: u.fhirUser || null,
    projects: u.projects || [],
  };
}

/** The name of the provider this session signed in with. */
export function providerName() {
  return config?.providers.find((p) => p.id === session?.provider)?.name;
}

export function signOut() {
  session = null;
  sessionStorage.removeItem(PROVIDER);
}
