// Sign-in: OAuth 2.0 authorization code with PKCE (RFC 7636, SMART App Launch standalone) on
// Quorum's own issuer. Tokens live in memory only (never in storage): a reload signs in again,
// the work in progress survives in the drafts (drafts.js).

const CLIENT_ID = 'quorum-ui';
const PENDING = 'quorum.signin';

let smart = null;
let session = null; // { access, refresh, expiresAt, claims }

async function configuration() {
  if (!smart) {
    const response = await fetch('/fhir/.well-known/smart-configuration', { headers: { Accept: 'application/json' } });
    if (!response.ok) throw new Error(`The server's SMART configuration is unavailable (${response.status})`);
    smart = await response.json();
  }
  return smart;
}

function base64url(bytes) {
  let text = '';
  for (const b of new Uint8Array(bytes)) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomString(bytes) {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

function redirectUri(config) {
  return `${config.issuer}/ui/`;
}

function claimsOf(jwt) {
  const payload = jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
  return JSON.parse(decodeURIComponent(escape(atob(payload))));
}

function accept(tokenResponse) {
  session = {
    access: tokenResponse.access_token,
    refresh: tokenResponse.refresh_token,
    expiresAt: Date.now() + (tokenResponse.expires_in || 300) * 1000,
    claims: claimsOf(tokenResponse.access_token),
  };
}

/** Sends the browser to the sign-in page; `returnTo` is the route to come back to. */
export async function signIn(returnTo) {
  const config = await configuration();
  const verifier = randomString(48);
  const state = randomString(16);
  const challenge = base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, returnTo }));
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: CLIENT_ID,
    redirect_uri: redirectUri(config),
    scope: 'openid fhirUser user/*.cruds online_access',
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    aud: `${config.issuer}/fhir`,
  });
  location.assign(`${config.authorization_endpoint}?${params}`);
}

async function tokenRequest(form) {
  const config = await configuration();
  const response = await fetch(config.token_endpoint, {
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
  const config = await configuration();
  accept(await tokenRequest({
    grant_type: 'authorization_code',
    client_id: CLIENT_ID,
    code: query.get('code'),
    redirect_uri: redirectUri(config),
    code_verifier: pending.verifier,
  }));
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
        accept(await tokenRequest({ grant_type: 'refresh_token', client_id: CLIENT_ID, refresh_token: session.refresh }));
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

/** Who is signed in: user name, roles, fhirUser (the PractitionerRole), projects. */
export function user() {
  const c = session?.claims || {};
  return {
    name: c.sub,
    roles: c.quorum_roles || [],
    fhirUser: c.fhirUser || null,
    projects: c.quorum_projects || [],
  };
}

export function signOut() {
  session = null;
}
