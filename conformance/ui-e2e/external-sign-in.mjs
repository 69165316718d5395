// End-to-end test of the reviewer UI's sign-in through an external OpenID Connect provider, in
// Debian's Chromium: a real provider (oidc-provider, oidc-test-provider.mjs) where the test server
// expects it (QUORUM_EXTERNAL_ISSUER, the server's QUORUM_AUTH_EXTERNAL_ISSUER), a hospital user
// whose token carries `roles` and `fhirUser`; the UI's sign-in choice, the authorization code flow
// with PKCE at the provider, the worklist and a calibration case worked with the provider's
// tokens (a refused token refreshed at the provider, an ended session signed in again there with
// the draft kept), and tokens Quorum must refuse: another audience, an issuer it was not told
// about. axe-core on the app's screens; screenshots as test artefacts.
//
// Environment: QUORUM_BASE, QUORUM_RUN, QUORUM_PASSWORD, QUORUM_ADMIN (a project admin with that
// password), QUORUM_EXTERNAL_ISSUER, QUORUM_EXTERNAL_CLIENT_ID, QUORUM_DICOM_FILE and
// QUORUM_STUDY_UID (a CT image with fresh UIDs), QUORUM_ARTIFACTS, QUORUM_CHROMIUM.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
import { chromium } from 'playwright-core';
import { Api, buildProject } from './fixture.mjs';
import { startProvider, machineToken } from './oidc-test-provider.mjs';

const require = createRequire(import.meta.url);
const axeSource = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');

const env = process.env;
const run = env.QUORUM_RUN;
const artifacts = env.QUORUM_ARTIFACTS;
await mkdir(artifacts, { recursive: true });
const base = env.QUORUM_BASE;

const results = [];
const accessibility = [];
let failed = 0;

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

async function check(name, body) {
  try {
    await body();
    results.push({ name, ok: true });
    console.log(`ok - ${name}`);
  } catch (error) {
    failed++;
    results.push({ name, ok: false, error: error.message });
    console.log(`not ok - ${name}: ${error.stack || error.message}`);
    throw error;
  }
}

async function axe(page, screen) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  accessibility.push({ screen, violations: result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length })) });
  assert(bad.length === 0, `axe on ${screen}: ${bad.map((v) => `${v.id} (${v.impact})`).join('; ')}`);
}

async function screen(page, name) {
  await page.screenshot({ path: `${artifacts}/${name}.png`, fullPage: true });
  await axe(page, name);
}

async function tabTo(page, id) {
  for (let i = 0; i < 60; i++) {
    if (await page.evaluate((x) => document.activeElement?.id === x, id)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached #${id}`);
}

const smart = await (await fetch(`${base}/fhir/.well-known/smart-configuration`)).json();
const issuer = smart.issuer;
const audience = `${issuer}/fhir`;
const admin = new Api(base, await Api.passwordToken(base, env.QUORUM_ADMIN, env.QUORUM_PASSWORD));

// The hospital's user: an annotator whose fhirUser is their PractitionerRole in the project.
const hospitalUser = `dr-ext-${run}`;
const practitionerRole = `PractitionerRole/ui-x-${run}`;
const secret = randomUUID();
const hospital = await startProvider({
  port: Number(new URL(env.QUORUM_EXTERNAL_ISSUER).port),
  accounts: { [hospitalUser]: { roles: ['annotator'], fhirUser: practitionerRole } },
  uiClientId: env.QUORUM_EXTERNAL_CLIENT_ID,
  redirectUri: `${issuer}/ui/`,
  machineSecret: secret,
  machineRoles: ['auditor'],
});
assert(hospital.issuer === env.QUORUM_EXTERNAL_ISSUER, `the provider runs at ${hospital.issuer}`);
// Another provider, one Quorum was not told about.
const stranger = await startProvider({ machineSecret: secret, machineRoles: ['project-admin'] });

const built = await buildProject(admin, { run, roles: { X: { id: practitionerRole, role: 'annotator' } }, dicomFile: env.QUORUM_DICOM_FILE, studyUid: env.QUORUM_STUDY_UID, narrowed: true });
console.log(`# project ${built.project}, provider ${hospital.issuer}`);

const browser = await chromium.launch({ executablePath: env.QUORUM_CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
const problems = [];
const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
const page = await context.newPage();
page.setDefaultTimeout(20_000);
page.on('console', (message) => {
  if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) problems.push(message.text());
});
page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
const tokenCalls = [];
page.on('response', async (response) => {
  if (response.url() === `${hospital.issuer}/token`) {
    tokenCalls.push({ grant: new URLSearchParams(response.request().postData() || '').get('grant_type'), status: response.status() });
  }
});

try {
  await check('the sign-in offers the hospital provider and signs in there with the authorization code flow and PKCE', async () => {
    // The server reads the provider's discovery document when asked (the provider started after it).
    const deadline = Date.now() + 30_000;
    let external;
    for (;;) {
      const configuration = await fetch(`${base}/ui/config.json`);
      assert(configuration.status === 200, `config.json: ${configuration.status}`);
      external = (await configuration.json()).providers.find((p) => p.id === 'external');
      assert(external, 'the external provider is offered');
      if (!external.unavailable || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    assert(!external.unavailable, `the provider is available: ${external.unavailable}`);
    assert(external.token_endpoint === `${hospital.issuer}/token` && external.authorization_endpoint === `${hospital.issuer}/auth`, 'endpoints from discovery');
    const csp = (await fetch(`${base}/ui/`)).headers.get('content-security-policy');
    assert(csp.includes(`connect-src 'self' ${hospital.issuer}`), `the page may call the provider's token endpoint: ${csp}`);

    await page.goto(`${issuer}/ui/`);
    const choice = page.locator('#sign-in-external');
    await choice.waitFor();
    assert((await choice.textContent()) === 'Sign in with Test hospital', `the choice names the provider: ${await choice.textContent()}`);
    assert(await page.locator('#sign-in-quorum').isVisible(), "Quorum's own sign-in is offered too");
    await screen(page, '12-sign-in-choice');
    const authorization = page.waitForRequest((r) => r.url().startsWith(`${hospital.issuer}/auth?`));
    await choice.click();
    const query = new URL((await authorization).url()).searchParams;
    assert(query.get('response_type') === 'code' && query.get('code_challenge_method') === 'S256' && query.get('code_challenge')?.length === 43, 'code flow with PKCE S256');
    assert(query.get('client_id') === env.QUORUM_EXTERNAL_CLIENT_ID && query.get('resource') === audience, `client and resource: ${query}`);
    // The provider's own login page.
    await page.locator('input[name=login]').fill(hospitalUser);
    await page.locator('input[name=password]').fill('whatever the hospital checks');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.waitForURL(/\/ui\/#/);
    await page.getByRole('heading', { name: 'Worklist' }).waitFor();
    const who = await page.locator('#who').textContent();
    assert(who.includes(hospitalUser) && who.includes('annotator') && who.includes('Test hospital'), `the header shows the user, the role mapped from the provider's claim, the provider: ${who}`);
    assert(tokenCalls.some((c) => c.grant === 'authorization_code' && c.status === 200), `the code was redeemed at the provider: ${JSON.stringify(tokenCalls)}`);
    // The worklist reads the user's tasks with the provider's token: the calibration task of the
    // PractitionerRole named by the fhirUser claim.
    await page.locator('.card').filter({ hasText: 'calibrate: open' }).locator('.n').filter({ hasText: '1' }).waitFor();
    await screen(page, '13-external-worklist');
  });

  await check("the hospital user works a case with the provider's tokens (palette narrowed by the labelValueSet): refreshed at the provider, signed in again there with the draft kept", async () => {
    await page.keyboard.press('n');
    await page.getByRole('link', { name: 'Open my calibration round' }).click();
    await page.locator('#note').waitFor();
    // The project's labelValueSet leaves Atelectasis (second in the schema) out of the palette.
    const palette = await page.locator('.palette button').allTextContents();
    assert(JSON.stringify(palette) === JSON.stringify(['1 Effusion', '2 Pneumonia', '3 Normal']), `the palette offers the allowed codes only: ${palette}`);
    await tabTo(page, 'note');
    await page.keyboard.press('Shift+Digit1');
    assert((await page.locator('.labels li').count()) === 1, 'a whole-case label in the draft');

    // The session ends: the next call is refused and the provider refuses the refresh token. The
    // app goes back to the provider, whose session is still open, and returns with the draft.
    let refused = false;
    await page.route('**/fhir/Task/**', async (route) => {
      if (!refused) { refused = true; await route.fulfill({ status: 401, contentType: 'application/json', body: '{"error":"invalid_token"}' }); } else await route.continue();
    });
    await page.route(`${hospital.issuer}/token`, async (route) => {
      if ((route.request().postData() || '').includes('grant_type=refresh_token')) await route.fulfill({ status: 400, contentType: 'application/json', headers: { 'Access-Control-Allow-Origin': issuer }, body: '{"error":"invalid_grant","error_description":"refresh token expired"}' });
      else await route.continue();
    });
    const again = page.waitForRequest((r) => r.url().startsWith(`${hospital.issuer}/auth?`));
    await page.keyboard.press('Control+Enter');
    await again;
    await page.locator('#draft-restored').waitFor();
    assert((await page.locator('.labels li').count()) === 1, 'the draft label is back');
    await page.unroute('**/fhir/Task/**');
    await page.unroute(`${hospital.issuer}/token`);
    assert(tokenCalls.filter((c) => c.grant === 'authorization_code' && c.status === 200).length === 2, `signed in again at the provider without a new login: ${JSON.stringify(tokenCalls)}`);

    // A refused access token: refreshed at the provider (a real refresh grant) and the call repeated.
    refused = false;
    await page.route('**/fhir/Task/**', async (route) => {
      if (!refused) { refused = true; await route.fulfill({ status: 401, contentType: 'application/json', body: '{"error":"invalid_token"}' }); } else await route.continue();
    });
    await page.keyboard.press('Control+Enter');
    await page.locator('#outcome').filter({ hasText: 'Calibration passed' }).waitFor();
    await page.unroute('**/fhir/Task/**');
    assert(refused, 'a call was refused');
    assert(tokenCalls.some((c) => c.grant === 'refresh_token' && c.status === 200), `the token was refreshed at the provider: ${JSON.stringify(tokenCalls)}`);
    const labels = await admin.search(`Observation?derived-from=${built.sources.calibration.reference}&_count=50`);
    const mine = labels.filter((o) => o.performer?.some((p) => p.reference.endsWith(practitionerRole)));
    assert(mine.length === 1 && mine[0].code.coding[0].code === 'effusion', `the label is the hospital user's, by their fhirUser: ${labels.map((o) => JSON.stringify(o.performer))}`);
  });

  await check('tokens for another audience or from an issuer Quorum was not told about are refused', async () => {
    const call = async (token, path = '/auth/session') => {
      const response = await fetch(`${base}${path}`, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' } });
      return { status: response.status, challenge: response.headers.get('www-authenticate') || '', body: await response.text() };
    };
    const good = await call(await machineToken(hospital.issuer, secret, audience));
    assert(good.status === 200, `the provider's token for Quorum is accepted: ${good.status} ${good.body}`);
    const session = JSON.parse(good.body);
    assert(session.iss === hospital.issuer && JSON.stringify(session.roles) === '["auditor"]', `roles from the provider's claim: ${good.body}`);

    const elsewhere = await machineToken(hospital.issuer, secret, 'http://127.0.0.1:9/another-api');
    for (const path of ['/auth/session', '/fhir/Task?_count=1']) {
      const answer = await call(elsewhere, path);
      assert(answer.status === 401 && /aud/.test(answer.challenge + answer.body), `a token for another audience is refused on ${path}: ${answer.status} ${answer.challenge}`);
    }
    const foreign = await machineToken(stranger.issuer, secret, audience);
    for (const path of ['/auth/session', '/fhir/Task?_count=1']) {
      const answer = await call(foreign, path);
      assert(answer.status === 401 && /issuer/.test(answer.challenge + answer.body), `a token of an unconfigured issuer is refused on ${path}: ${answer.status} ${answer.challenge}`);
    }
  });

  await check('no Content-Security-Policy violation and no script error with the external provider', async () => {
    assert(problems.length === 0, problems.join('\n'));
  });
} catch {
  // reported by check()
} finally {
  await writeFile(`${artifacts}/external-sign-in.json`, JSON.stringify({ results, accessibility, tokenCalls }, null, 2));
  await browser.close();
  await hospital.close();
  await stranger.close();
}
console.log(`${results.filter((r) => r.ok).length} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
