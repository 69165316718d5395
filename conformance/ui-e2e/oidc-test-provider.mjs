// A real OpenID Connect provider for the e2e tests: panva's oidc-provider (a certified
// implementation, pinned in package-lock.json), on 127.0.0.1, plain http (Quorum accepts http
// for loopback providers only). What a hospital's Keycloak would be set up to do for Quorum:
//
// - the reviewer UI as a public client (authorization code, PKCE S256 required, refresh tokens
//   rotated), its redirect URI Quorum's /ui/;
// - access tokens as signed JWTs (ES256) for the resource Quorum verifies (RFC 8707 resource
//   indicator = Quorum's audience), carrying the user's `roles` and `fhirUser` claims;
// - the provider's own login page (its development interactions: any password; the user's
//   account must exist) and consent granted without asking for this client;
// - a confidential client `machine` (client_credentials) for tokens made on demand in tests.
import { createServer } from 'node:http';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import Provider from 'oidc-provider';

function signingKeys() {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  return [
    { ...ec, kid: `ec-${randomUUID()}`, alg: 'ES256', use: 'sig' },
    { ...rsa, kid: `rsa-${randomUUID()}`, alg: 'RS256', use: 'sig' },
  ];
}

/**
 * Starts a provider; resolves to { issuer, provider, close }.
 *
 * @param port where to listen (0: any free port)
 * @param accounts user id → { roles: [...], fhirUser }
 * @param uiClientId the reviewer UI's client id; redirectUri its redirect URI
 * @param machineRoles the roles claim of client_credentials tokens
 */
export async function startProvider({ port = 0, accounts = {}, uiClientId, redirectUri, machineSecret, machineRoles = [], accessTokenSeconds = 300 }) {
  const server = createServer();
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const clients = [{
    client_id: 'machine',
    client_secret: machineSecret,
    grant_types: ['client_credentials'],
    redirect_uris: [],
    response_types: [],
  }];
  if (uiClientId) {
    clients.push({
      client_id: uiClientId,
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: [redirectUri],
    });
  }
  const provider = new Provider(issuer, {
    clients,
    jwks: { keys: signingKeys() },
    scopes: ['openid', 'offline_access', 'fhirUser'],
    claims: { openid: ['sub'], fhirUser: ['fhirUser'] },
    async findAccount(_ctx, id) {
      const account = accounts[id];
      if (!account) return undefined;
      return { accountId: id, async claims() { return { sub: id, fhirUser: account.fhirUser }; } };
    },
    features: {
      devInteractions: { enabled: true },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx, _client, oneOf) => oneOf,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, resource) => ({
          scope: 'user/*.cruds fhirUser system/*.rs',
          audience: resource,
          accessTokenFormat: 'jwt',
          accessTokenTTL: accessTokenSeconds,
          jwt: { sign: { alg: 'ES256' } },
        }),
      },
    },
    // Quorum reads roles and fhirUser from the access token (QUORUM_AUTH_EXTERNAL_ROLES_CLAIM).
    async extraTokenClaims(_ctx, token) {
      if (token.kind !== 'AccessToken' && token.kind !== 'ClientCredentials') return undefined;
      const account = token.accountId ? accounts[token.accountId] : undefined;
      if (account) return { roles: account.roles, fhirUser: account.fhirUser };
      if (token.clientId === 'machine') return { roles: machineRoles };
      return undefined;
    },
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    // Consent is the hospital's business: the UI's requests are granted as asked.
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope('openid offline_access fhirUser');
      for (const resource of [ctx.oidc.params.resource].flat().filter(Boolean)) {
        grant.addResourceScope(resource, 'user/*.cruds fhirUser');
      }
      await grant.save();
      return grant;
    },
  });
  server.on('request', provider.callback());
  return {
    issuer,
    provider,
    close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(resolve); }),
  };
}

/** An access token of the `machine` client for `resource` (client_credentials). */
export async function machineToken(issuer, secret, resource, scope = 'system/*.rs') {
  const response = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: `Basic ${Buffer.from(`machine:${secret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials', resource, scope }),
  });
  const body = await response.json();
  if (response.status !== 200) throw new Error(`client_credentials at ${issuer}: ${response.status} ${JSON.stringify(body)}`);
  return body.access_token;
}
