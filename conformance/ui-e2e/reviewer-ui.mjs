// End-to-end test of the reviewer UI in Debian's Chromium: the issue's scenario from sign-in to
// adjudication, image regions, AI review, drafts across a reload and an expired session, a
// conflict, and the dashboard; axe-core on every screen; screenshots as test artefacts.
//
// Environment: QUORUM_BASE, QUORUM_RUN, QUORUM_PASSWORD, QUORUM_USERS (JSON: key → {name, id, role}),
// QUORUM_ADMIN (user name of a project admin), QUORUM_DICOM_FILE and QUORUM_STUDY_UID (a CT image
// with fresh UIDs), QUORUM_MULTIFRAME_FILE (optional: a multi-frame instance of the same study), QUORUM_ARTIFACTS (where screenshots and the report go), QUORUM_CHROMIUM.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { Api, NOTES, buildProject, addCase, addAiMediumCase } from './fixture.mjs';

const require = createRequire(import.meta.url);
const axeSource = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');

const env = process.env;
const run = env.QUORUM_RUN;
const password = env.QUORUM_PASSWORD;
const users = JSON.parse(env.QUORUM_USERS);
const artifacts = env.QUORUM_ARTIFACTS;
await mkdir(artifacts, { recursive: true });

const results = [];
const accessibility = [];
let failed = 0;

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

async function check(name, body) {
  const started = Date.now();
  try {
    await body();
    results.push({ name, ok: true, ms: Date.now() - started });
    console.log(`ok - ${name}`);
  } catch (error) {
    failed++;
    results.push({ name, ok: false, error: error.message });
    console.log(`not ok - ${name}: ${error.stack || error.message}`);
    throw error;
  }
}

const base = env.QUORUM_BASE;
const smart = await (await fetch(`${base}/fhir/.well-known/smart-configuration`)).json();
const issuer = smart.issuer;
const admin = new Api(base, await Api.passwordToken(base, env.QUORUM_ADMIN, password));
const built = await buildProject(admin, { run, roles: Object.fromEntries(Object.entries(users).map(([k, u]) => [k, u])), dicomFile: env.QUORUM_DICOM_FILE, studyUid: env.QUORUM_STUDY_UID, moreFiles: env.QUORUM_MULTIFRAME_FILE ? [env.QUORUM_MULTIFRAME_FILE] : [] });
console.log(`# project ${built.project}`);

const browser = await chromium.launch({ executablePath: env.QUORUM_CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
const cspViolations = [];

async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
  });
  page.on('pageerror', (error) => cspViolations.push(`page error: ${error.message}`));
  page.setDefaultTimeout(20_000);
  return page;
}

/** axe-core on the page as it is now: no serious or critical violation. */
async function axe(page, screen) {
  // evaluate() runs outside the page's CSP (which allows no inline script, rightly).
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  accessibility.push({ screen, violations: result.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length })) });
  assert(bad.length === 0, `axe on ${screen}: ${bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(' | ')}`).join('; ')}`);
}

async function screen(page, name) {
  await page.screenshot({ path: `${artifacts}/${name}.png`, fullPage: true });
  await axe(page, name);
}

async function signInOnPage(page, user, shot) {
  // With an external provider configured, a new tab first offers the choice; a tab that signed in
  // before goes straight back to the provider it used.
  const choice = page.locator('#sign-in-quorum');
  await Promise.race([page.waitForURL(/\/auth\/authorize/), choice.waitFor()]);
  if (!/\/auth\/authorize/.test(page.url())) {
    await choice.click();
    await page.waitForURL(/\/auth\/authorize/);
  }
  await page.getByLabel('User name').fill(user.name);
  await page.getByLabel('Password').fill(password);
  if (shot) await screen(page, shot);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/ui\/#/);
}

async function signIn(user, shot) {
  const page = await newPage();
  await page.goto(`${issuer}/ui/`);
  await signInOnPage(page, user, shot);
  await page.getByRole('heading', { name: /Worklist|Projects/ }).waitFor();
  return page;
}

async function nextCase(page, stage) {
  await page.goto(`${issuer}/ui/#/`);
  await page.getByRole('heading', { name: 'Worklist' }).waitFor();
  await page.locator('#next-case').waitFor();
  if (stage) await page.locator('#next-stage').selectOption(stage);
  await page.keyboard.press('n');
  await page.waitForURL(/#\/task\//);
  await page.locator('[data-workspace]').waitFor();
  return page.url().match(/#\/task\/([^/]+)$/)[1];
}

/** Moves keyboard focus to the element with `id` by pressing Tab (keyboard only). */
async function tabTo(page, id) {
  for (let i = 0; i < 60; i++) {
    if (await page.evaluate((x) => document.activeElement?.id === x, id)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached #${id}`);
}

async function press(page, key, times = 1) {
  for (let i = 0; i < times; i++) await page.keyboard.press(key);
}

async function apiAs(key) {
  return new Api(base, await Api.passwordToken(base, users[key].name, password));
}

async function labelsOf(api, source, performer) {
  return (await api.search(`Observation?derived-from=${source}&_count=50`)).filter((o) => !performer || o.performer?.some((p) => p.reference.endsWith(performer)));
}

const ext = (o, url) => (o.extension || []).find((e) => e.url.endsWith(url));
const sub = (e, url) => (e?.extension || []).find((x) => x.url === url);

let annotator;
let noteTask;
try {
  await check('an annotator signs in with the authorization code flow and PKCE and sees the worklist', async () => {
    annotator = await signIn(users.A, '01-sign-in');
    assert(await annotator.locator('#who').textContent().then((t) => t.includes(users.A.name)), 'the header names the user');
    await annotator.locator('#next-case').waitFor();
    await screen(annotator, '02-worklist');
    // The shortcuts dialog: every action with its key, editable.
    await annotator.keyboard.press('?');
    await annotator.getByRole('heading', { name: 'Keyboard shortcuts' }).waitFor();
    assert((await annotator.locator('#shortcuts input[data-action]').count()) >= 20, 'the keys can be changed');
    await screen(annotator, '02-shortcuts');
    await annotator.keyboard.press('Escape');
    await annotator.getByRole('heading', { name: 'Keyboard shortcuts' }).waitFor({ state: 'hidden' });
  });

  await check('an uncalibrated annotator is sent to the calibration round and passes it', async () => {
    await annotator.keyboard.press('n');
    await annotator.getByRole('alert').filter({ hasText: /calibrat/i }).waitFor();
    await annotator.getByRole('link', { name: 'Open my calibration round' }).click();
    await annotator.locator('#note').waitFor();
    assert((await annotator.locator('#note').textContent()).includes('costophrenic'), 'the calibration note is shown');
    await screen(annotator, '03-calibration');
    await tabTo(annotator, 'note');
    await annotator.keyboard.press('Shift+Digit1'); // whole-case label: class 1 (Effusion)
    await annotator.keyboard.press('Control+Enter');
    await annotator.locator('#outcome').filter({ hasText: 'Calibration passed' }).waitFor();
  });

  await check('the annotator takes a note case and makes two spans with the keyboard only; a reload restores the draft', async () => {
    noteTask = await nextCase(annotator);
    const text = NOTES.case;
    assert((await annotator.locator('#note').textContent()) === text, 'the de-identified note text is shown as stored');
    await tabTo(annotator, 'note');
    // "pleural effusion": four words right, one back, then extend two words.
    await press(annotator, 'Control+ArrowRight', 4);
    await press(annotator, 'Control+ArrowLeft');
    await press(annotator, 'Control+Shift+ArrowRight', 2);
    await annotator.keyboard.press('1');
    const first = annotator.locator('.labels li').first();
    assert((await first.textContent()).includes('“pleural effusion”'), `first span: ${await first.textContent()}`);
    await tabTo(annotator, await first.locator('input[type=number]').getAttribute('id'));
    await annotator.keyboard.type('0.9');
    await annotator.keyboard.press('Tab');
    await annotator.keyboard.type('Blunted angle on the left.');
    await screen(annotator, '04-note-labelling');

    await annotator.reload();
    await signInOnPage(annotator, users.A);
    await annotator.locator('#draft-restored').waitFor();
    const restored = annotator.locator('.labels li');
    assert((await restored.count()) === 1, 'one label restored');
    assert((await restored.first().locator('input[type=number]').inputValue()) === '0.9', 'the confidence is restored');
    assert((await restored.first().locator('textarea').inputValue()) === 'Blunted angle on the left.', 'the reasoning is restored');

    // "pneumonia", the last word: to the end, one word back, extend one word.
    await tabTo(annotator, 'note');
    await press(annotator, 'Control+ArrowRight', 20);
    await press(annotator, 'Control+ArrowLeft');
    await press(annotator, 'Control+Shift+ArrowRight');
    await annotator.keyboard.press('2');
    assert((await annotator.locator('.labels li').nth(1).textContent()).includes('“pneumonia”'), 'second span');
    await annotator.keyboard.press('Control+Enter');
    await annotator.locator('#outcome').waitFor();
    const stored = await labelsOf(admin, built.sources.case.reference, users.A.id);
    assert(stored.length === 2, `two labels stored, found ${stored.length}`);
    const spans = stored.map((o) => { const s = ext(o, 'quorum-text-span'); return `${o.code.coding[0].code}:${sub(s, 'start').valueInteger}-${sub(s, 'end').valueInteger}`; }).sort();
    const at = (q) => `${text.indexOf(q)}-${text.indexOf(q) + q.length}`;
    assert(JSON.stringify(spans) === JSON.stringify([`effusion:${at('pleural effusion')}`, `pneumonia:${at('pneumonia')}`].sort()), `spans stored: ${spans}`);
    const effusion = stored.find((o) => o.code.coding[0].code === 'effusion');
    assert(ext(effusion, 'quorum-confidence')?.valueDecimal === 0.9, 'confidence stored');
    assert(ext(effusion, 'quorum-reasoning')?.valueString === 'Blunted angle on the left.', 'reasoning stored');
  });

  await check('a second annotator disagrees; the adjudicator sees both side by side and resolves', async () => {
    const b = await apiAs('B');
    const calibrate = (await b.search(`Task?owner=${users.B.id}&status=ready,in-progress`)).find((t) => t.code.coding[0].code === 'calibrate');
    await b.operation(`Task/${calibrate.id}/$submit`, { resourceType: 'Parameters', parameter: [{ name: 'label', resource: {
      resourceType: 'Observation', code: { coding: [{ system: built.schema, code: 'effusion' }] }, derivedFrom: [{ reference: built.sources.calibration.reference }] } }] });
    const task = await b.operation(`${built.project}/$next-case`, { resourceType: 'Parameters', parameter: [{ name: 'stage', valueCode: 'annotate' }] });
    assert(task?.focus?.reference === built.sources.case.reference, `B gets the note case, got ${task?.focus?.reference}`);
    const answer = await b.operation(`Task/${task.id}/$submit`, { resourceType: 'Parameters', parameter: [{ name: 'label', resource: {
      resourceType: 'Observation', code: { coding: [{ system: built.schema, code: 'normal' }] } } }] });
    assert(answer.parameter.some((p) => p.name === 'outcome'), 'B submitted');
    const adjudications = (await admin.search(`Task?focus=${built.sources.case.reference}&_count=50`)).filter((t) => t.code.coding[0].code === 'adjudicate');
    assert(adjudications.length === 1, 'the disagreement goes to adjudication');

    const judge = await signIn(users.J);
    await nextCase(judge, 'adjudicate');
    await judge.locator('#agreement').filter({ hasText: 'disagree' }).waitFor();
    assert((await judge.locator('.columns .note').count()) === 2, 'two annotators side by side');
    await screen(judge, '05-adjudication');
    const choice = judge.locator('label[for^=choose-]').filter({ hasText: 'Effusion' });
    await choice.click();
    await judge.locator('#comment').fill('The effusion and the pneumonia are both described in the note.');
    await judge.locator('#send-decision').click();
    await judge.locator('#outcome').filter({ hasText: 'final' }).waitFor();
    const finals = (await labelsOf(admin, built.sources.case.reference)).filter((o) => o.status === 'final');
    assert(JSON.stringify(finals.map((o) => o.code.coding[0].code).sort()) === '["effusion","pneumonia"]', `final labels: ${finals.map((o) => o.code.coding[0].code)}`);
    await judge.context().close();
  });

  await check('the annotator takes an image case, sets the window and pans by dragging, draws a polygon, and keeps it through an expired session', async () => {
    await addCase(admin, built, built.sources.image.reference);
    // The frames of the study come from its WADO-RS metadata (Number of Frames per instance).
    const metadata = annotator.waitForResponse((r) => /\/dicomweb\/studies\/[0-9.]+\/metadata$/.test(r.url()));
    const imageTask = await nextCase(annotator);
    assert((await metadata).status() === 200, 'the study metadata is read');
    // Two instances: a single-frame CT and a three-frame copy of it (each frame moved up 16 rows).
    assert((await annotator.locator('#frame-label').textContent()).includes('(1 of 4)'), `four frames in the study: ${await annotator.locator('#frame-label').textContent()}`);
    const viewer = annotator.locator('#viewer');
    await annotator.locator('#viewer img').waitFor();
    await annotator.waitForFunction(() => document.querySelector('#viewer img')?.naturalWidth > 0);
    // PageDown pages through every frame of every instance, and round to the first.
    const pages = [];
    // What the page shows, as a digest of the decoded pixels.
    const shown = () => annotator.evaluate(() => {
      const img = document.querySelector('#viewer img');
      const canvas = document.createElement('canvas');
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      const context = canvas.getContext('2d');
      context.drawImage(img, 0, 0);
      const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
      let digest = 0;
      for (let k = 0; k < data.length; k += 4) digest = (digest * 31 + data[k]) >>> 0;
      return digest;
    });
    for (let i = 0; i < 4; i++) {
      const src = await annotator.evaluate(() => document.querySelector('#viewer img').src);
      const next = annotator.waitForResponse((r) => /\/frames\/\d+\/rendered/.test(r.url()));
      await annotator.keyboard.press('PageDown');
      const response = await next;
      assert(response.status() === 200, `frame rendered: ${response.status()}`);
      await annotator.waitForFunction((before) => { const img = document.querySelector('#viewer img'); return img.src !== before && img.complete && img.naturalWidth > 0; }, src);
      pages.push({ label: await annotator.locator('#frame-label').textContent(), frame: response.url().match(/\/frames\/(\d+)\//)[1], bytes: await shown() });
    }
    const multi = pages.filter((p) => /frame \d of 3/.test(p.label));
    assert(multi.length === 3 && multi.every((p) => p.label.match(/frame (\d) of 3/)[1] === p.frame) && new Set(multi.map((p) => p.frame)).size === 3,
      `the three frames, each rendered through frames/{n}: ${pages.map((p) => `${p.label} → ${p.frame}`)}`);
    assert(new Set(multi.map((p) => p.bytes)).size === 3, 'each frame is its own picture');
    assert(pages[3].label.includes('(1 of 4)'), `back at the first image: ${pages[3].label}`);
    await annotator.waitForFunction(() => document.querySelector('#viewer img')?.naturalWidth > 0);
    // A window preset renders the frame again through /rendered?window=center,width,linear.
    const before = await annotator.locator('#viewer img').getAttribute('src');
    const rendered = annotator.waitForResponse((r) => r.url().includes('/rendered?window=-600%2C1500%2Clinear'));
    await annotator.getByRole('button', { name: 'Lung' }).click();
    assert((await rendered).status() === 200, 'the lung window is rendered');
    await annotator.waitForFunction((b) => { const i = document.querySelector('#viewer img'); return i.src !== b && i.naturalWidth > 0; }, before);
    // Zoomed in (+ twice): larger than the pane, so that it can be panned.
    await annotator.keyboard.press('+');
    await annotator.keyboard.press('+');
    await annotator.waitForFunction(() => Math.round(document.querySelector('#viewer img').getBoundingClientRect().width) === 800);
    await annotator.locator('#pan').scrollIntoViewIfNeeded();
    await annotator.evaluate(() => window.scrollTo(0, document.querySelector('#pan').getBoundingClientRect().top + window.scrollY - 8));
    const box = async () => annotator.evaluate(() => { const r = document.querySelector('#viewer').getBoundingClientRect(); return { x: r.x, y: r.y, width: r.width, height: r.height }; });
    // Window/level by dragging with the right button: renderings with a wider window and a
    // higher level than the lung preset's (-600, 1500).
    const renderedWindows = [];
    annotator.on('response', (r) => {
      const w = /\/rendered\?/.test(r.url()) && new URL(r.url()).searchParams.get('window');
      if (w && r.status() === 200) renderedWindows.push(w);
    });
    const windowShown = async () => {
      const [, c, w] = (await annotator.locator('#window-label').textContent()).match(/^C (-?\d+) W (\d+)$/) || [];
      assert(c !== undefined, `the window is shown: ${await annotator.locator('#window-label').textContent()}`);
      // The last rendering is the one shown (renderings never overlap, the last change wins).
      for (const deadline = Date.now() + 10_000; !renderedWindows.includes(`${c},${w},linear`); await new Promise((r) => setTimeout(r, 100))) {
        assert(Date.now() < deadline, `the window ${c},${w} was rendered: ${renderedWindows}`);
      }
      return [Number(c), Number(w)];
    };
    let frame = await box();
    await annotator.mouse.move(frame.x + 200, frame.y + 200);
    await annotator.mouse.down({ button: 'right' });
    await annotator.mouse.move(frame.x + 260, frame.y + 230, { steps: 4 });
    await annotator.mouse.up({ button: 'right' });
    const dragged = await windowShown();
    assert(dragged[1] > 1500 && dragged[0] > -600, `a wider window, a higher level: ${dragged}`);
    // The keyboard does the same in the W/L mode (w, then arrows): a narrower window.
    await viewer.focus();
    await annotator.keyboard.press('w');
    await annotator.keyboard.press('Shift+ArrowLeft');
    const keyed = await windowShown();
    assert(keyed[1] < dragged[1] && keyed[0] === dragged[0], `the keys narrow the window: ${dragged} → ${keyed}`);
    await annotator.keyboard.press('w'); // leaves the mode
    // Pan by dragging with the middle button: the view moves by the drag.
    const offset = () => annotator.evaluate(() => [document.querySelector('#pan').scrollLeft, document.querySelector('#pan').scrollTop]);
    const panBefore = await offset();
    frame = await box();
    await annotator.mouse.move(frame.x + 300, frame.y + 300);
    await annotator.mouse.down({ button: 'middle' });
    await annotator.mouse.move(frame.x + 280, frame.y + 180, { steps: 4 });
    await annotator.mouse.up({ button: 'middle' });
    const panAfter = await offset();
    assert(panAfter[1] - panBefore[1] === 120, `the view moved up by the drag: ${panBefore} → ${panAfter}`);
    // The pan mode (h) and its arrow keys move it too.
    await viewer.focus();
    await annotator.keyboard.press('h');
    await annotator.keyboard.press('ArrowUp');
    assert((await offset())[1] === panAfter[1] - 20, `the arrow keys pan in the pan mode: ${await offset()}`);
    await annotator.keyboard.press('ArrowDown');
    await annotator.keyboard.press('h');
    // A polygon drawn on the panned, zoomed view: stored in image pixel space all the same.
    const natural = await annotator.evaluate(() => { const i = document.querySelector('#viewer img'); return [i.naturalWidth, i.naturalHeight, i.getBoundingClientRect().width]; });
    const scale = natural[2] / natural[0];
    await annotator.keyboard.press('g');
    const pixels = [[30, 40], [90, 38], [96, 100], [28, 96]];
    frame = await box();
    for (const [x, y] of pixels) await annotator.mouse.click(frame.x + (x + 0.5) * scale, frame.y + (y + 0.5) * scale);
    await annotator.keyboard.press('Enter');
    await annotator.keyboard.press('2'); // the drawn region: class 2 (Pneumonia)
    assert((await annotator.locator('.labels li').first().textContent()).includes('polygon of 5 points'), 'a closed polygon');
    assert((await annotator.locator('#viewer svg polygon').count()) === 1, 'the polygon is drawn over the image');
    await screen(annotator, '06-image-labelling');

    // The session ends: the next API call is refused and the refresh token no longer works.
    let refused = false;
    await annotator.route('**/fhir/Task/**', async (route) => {
      if (!refused) { refused = true; await route.fulfill({ status: 401, contentType: 'application/json', body: '{"error":"invalid_token"}' }); } else await route.continue();
    });
    await annotator.route('**/auth/token', async (route) => {
      const body = route.request().postData() || '';
      if (body.includes('grant_type=refresh_token')) await route.fulfill({ status: 400, contentType: 'application/json', body: '{"error":"invalid_grant","error_description":"the refresh token has expired; sign in again"}' });
      else await route.continue();
    });
    await annotator.keyboard.press('Control+Enter');
    await signInOnPage(annotator, users.A);
    await annotator.locator('#draft-restored').waitFor();
    await annotator.locator('#viewer svg polygon').waitFor();
    await annotator.unroute('**/fhir/Task/**');
    await annotator.unroute('**/auth/token');
    await annotator.locator('#submit').click();
    await annotator.locator('#outcome').waitFor();
    const [label] = await labelsOf(admin, built.sources.image.reference, users.A.id);
    assert(label, 'the image label is stored');
    const region = ext(label, 'quorum-image-region');
    assert(label.code.coding[0].code === 'pneumonia', 'class 2');
    assert(sub(region, 'graphicType').valueCode === 'POLYLINE', 'a polygon is a closed POLYLINE');
    const numbers = sub(region, 'coordinates').valueString.trim().split(/\s+/).map(Number);
    const expected = [...pixels, pixels[0]].flat();
    assert(numbers.length === expected.length && numbers.every((n, i) => Math.abs(n - (expected[i] + 0.5)) <= 0.6),
      `coordinates in image pixel space: ${numbers} vs ${expected}`);
    assert(imageTask, 'task');
  });

  await check('on an image case the adjudicator compares the regions of both annotators, toggles them, and resolves', async () => {
    const b = await apiAs('B');
    const task = await b.operation(`${built.project}/$next-case`, { resourceType: 'Parameters', parameter: [{ name: 'stage', valueCode: 'annotate' }] });
    assert(task?.focus?.reference === built.sources.image.reference, `B gets the image case, got ${task?.focus?.reference}`);
    const study = await admin.read(built.sources.image.reference);
    const sop = study.series[0].instance[0].uid;
    await b.operation(`Task/${task.id}/$submit`, { resourceType: 'Parameters', parameter: [{ name: 'label', resource: {
      resourceType: 'Observation', code: { coding: [{ system: built.schema, code: 'effusion' }] },
      extension: [{ url: 'https://quorum.dev/fhir/StructureDefinition/quorum-image-region', extension: [
        { url: 'sopInstanceUid', valueId: sop }, { url: 'frame', valuePositiveInt: 1 }, { url: 'graphicType', valueCode: 'POLYLINE' },
        { url: 'coordinates', valueString: '20 20 60 20 60 60 20 60 20 20' }] }] } }] });
    const judge = await signIn(users.J);
    await nextCase(judge, 'adjudicate');
    await judge.waitForFunction(() => document.querySelector('#viewer img')?.naturalWidth > 0);
    assert((await judge.locator('#viewer svg polygon').count()) === 2, 'both annotators\' regions overlaid');
    await screen(judge, '11-image-adjudication');
    await judge.getByRole('checkbox', { name: 'annotator 2' }).uncheck();
    assert((await judge.locator('#viewer svg polygon').count()) === 1, 'annotator 2\'s regions hidden');
    await judge.locator('label[for^=choose-]').filter({ hasText: 'Pneumonia' }).click();
    await judge.locator('#comment').fill('The opacity outlined by annotator 1 is the pneumonia.');
    await judge.keyboard.press('Control+Enter');
    await judge.locator('#outcome').filter({ hasText: 'final' }).waitFor();
    const finals = (await labelsOf(admin, built.sources.image.reference)).filter((o) => o.status === 'final');
    assert(finals.length === 1 && finals[0].code.coding[0].code === 'pneumonia', `final image label: ${finals.map((o) => o.code.coding[0].code)}`);
    await judge.context().close();
  });

  await check('a reviewer accepts one AI suggestion, rejects another with a comment, and modifies a third', async () => {
    const reviewer = await signIn(users.R);
    const decided = [];
    for (let i = 0; i < 3; i++) {
      await nextCase(reviewer, 'review');
      const shown = await reviewer.locator('table tbody td').first().textContent();
      if (i === 0) await screen(reviewer, '07-review-ai');
      if (shown === 'Effusion') {
        await reviewer.keyboard.press('a');
        decided.push('accept');
      } else if (shown === 'Normal') {
        await reviewer.keyboard.press('x');
        await reviewer.keyboard.type('The note describes consolidation: not normal.');
        decided.push('reject');
      } else {
        await reviewer.keyboard.press('m');
        await reviewer.keyboard.type('Pleural fluid is an effusion, not pneumonia.');
        await reviewer.locator('#modify-0').selectOption('effusion');
        await screen(reviewer, '07-review-modify');
        decided.push('modify');
      }
      await reviewer.keyboard.press('Control+Enter');
      await reviewer.locator('#outcome').waitFor();
      const outcome = await reviewer.locator('#outcome').textContent();
      assert(decided.at(-1) === 'reject' ? outcome.includes('back to the annotators') : outcome.includes('final'), `outcome: ${outcome}`);
    }
    assert(decided.sort().join() === 'accept,modify,reject', `decisions ${decided}`);
    const finals = (await labelsOf(admin, built.sources.aiEffusion.reference)).filter((o) => o.status === 'final');
    assert(finals.length === 1 && finals[0].code.coding[0].code === 'effusion', 'the accepted AI label is final');
    const modified = (await labelsOf(admin, built.sources.aiModify.reference)).filter((o) => o.status === 'final');
    assert(modified.length === 1 && modified[0].code.coding[0].code === 'effusion', `the corrected label is final: ${modified.map((o) => o.code.coding[0].code)}`);
    const span = ext(modified[0], 'quorum-text-span');
    assert(sub(span, 'quote')?.valueString === 'left pleural fluid', 'the corrected label keeps the span');
    await reviewer.context().close();
  });

  await check('a task completed elsewhere is shown as a conflict and the draft is kept', async () => {
    const taskId = await nextCase(annotator);
    await tabTo(annotator, 'note');
    await annotator.keyboard.press('Shift+Digit2');
    const task = await admin.read(`Task/${taskId}`);
    task.status = 'cancelled';
    await admin.request('PUT', `/fhir/Task/${taskId}`, task);
    await annotator.keyboard.press('Control+Enter');
    await annotator.locator('#conflict').waitFor();
    assert((await annotator.locator('.labels li').count()) === 1, 'the draft label is still there');
    const draft = await annotator.evaluate((id) => Object.keys(localStorage).find((k) => k.endsWith(`.${id}`)), taskId);
    assert(draft, 'the draft is kept in localStorage');
    await screen(annotator, '08-conflict');
  });

  await check('the annotator accepts one AI suggestion and modifies another with the keyboard; a refused token is refreshed', async () => {
    await addAiMediumCase(admin, built);
    await nextCase(annotator);
    assert((await annotator.locator('[data-suggestion]').count()) === 2, 'two AI suggestions shown');
    await screen(annotator, '10-ai-suggestions');
    await annotator.keyboard.press('a'); // the first undecided suggestion: effusion, accepted
    await annotator.keyboard.press('m'); // the next: "normal", modified (focus goes to its class)
    const focused = await annotator.evaluate(() => document.activeElement?.tagName + ' ' + document.activeElement?.value);
    assert(focused === 'SELECT normal', `the modified label's class has the focus: ${focused}`);
    await annotator.keyboard.press('ArrowUp'); // the class above Normal: Pneumonia
    assert(await annotator.evaluate(() => document.activeElement.value) === 'pneumonia', 'class changed');
    // The access token is refused once (as when it expires): the app refreshes it (the refresh
    // token rotates) and repeats the call, without a new sign-in.
    let refused = false;
    await annotator.route('**/fhir/Task/**', async (route) => {
      if (!refused) { refused = true; await route.fulfill({ status: 401, contentType: 'application/json', body: '{"error":"invalid_token"}' }); } else await route.continue();
    });
    const refreshed = annotator.waitForResponse((r) => r.url().endsWith('/auth/token') && (r.request().postData() || '').includes('grant_type=refresh_token'));
    await annotator.keyboard.press('Control+Enter');
    assert((await refreshed).status() === 200, 'the refresh token is exchanged');
    await annotator.locator('#outcome').waitFor();
    assert(refused && !annotator.url().includes('/auth/authorize'), 'no new sign-in');
    await annotator.unroute('**/fhir/Task/**');
    const stored = await labelsOf(admin, built.sources.aiMedium.reference, users.A.id);
    const codes = stored.map((o) => o.code.coding[0].code).sort();
    assert(JSON.stringify(codes) === '["effusion","pneumonia"]', `stored: ${codes}`);
    const effusion = stored.find((o) => o.code.coding[0].code === 'effusion');
    assert(sub(ext(effusion, 'quorum-text-span'), 'quote').valueString === 'bilateral effusions', 'the accepted span is kept');
    assert(stored.every((o) => o.method.coding[0].code === 'ai-assisted'), `labels made with a suggestion shown are ai-assisted: ${stored.map((o) => o.method.coding[0].code)}`);
  });

  await check('a project admin sees the dashboard', async () => {
    const lead = await signIn({ name: env.QUORUM_ADMIN });
    await lead.goto(`${issuer}/ui/#/dashboard/${built.project.split('/')[1]}`);
    await lead.getByRole('heading', { name: /Dashboard/ }).waitFor();
    await lead.getByRole('heading', { name: 'Progress and work' }).waitFor();
    await lead.getByRole('heading', { name: 'Automation bias' }).waitFor();
    await lead.getByRole('heading', { name: /^Agreement/ }).waitFor();
    const caption = await lead.locator('caption').allTextContents();
    assert(caption.some((c) => c.includes('by class')), `agreement per class shown: ${caption.join(' | ')}`);
    await screen(lead, '09-dashboard');
    await lead.context().close();
  });

  await check('a re-evaluate task shows the schema change: the class under the old and the new version', async () => {
    // Version 1.1.0 renames Pneumonia; the project moves to it and its final pneumonia labels
    // are re-evaluated.
    await admin.create({
      resourceType: 'CodeSystem', url: built.schema, version: '1.1.0', name: 'UiE2eFindings', status: 'active', content: 'complete',
      concept: [{ code: 'effusion', display: 'Effusion' }, { code: 'pneumonia', display: 'Pneumonia (consolidation)', definition: 'Airspace consolidation read as infection.' }, { code: 'normal', display: 'Normal' }],
    });
    const answer = await admin.operation(`${built.project}/$re-evaluate`, { resourceType: 'Parameters', parameter: [{ name: 'toVersion', valueString: '1.1.0' }] });
    const affected = answer.parameter.find((p) => p.name === 'affectedCount')?.valueInteger;
    assert(affected >= 1, `final pneumonia labels are affected: ${JSON.stringify(answer)}`);
    const reviewer = await signIn(users.R);
    try {
      await nextCase(reviewer, 're-evaluate');
    } catch (error) {
      throw new Error(`${error.message}\npage: ${reviewer.url()} ${await reviewer.locator('main').textContent()}`);
    }
    const panel = reviewer.locator('#schema-change');
    await panel.waitFor();
    const cells = await panel.locator('td').allTextContents();
    assert((await panel.locator('h2').textContent()).includes('renamed'), `the kind of change: ${await panel.locator('h2').textContent()}`);
    assert(cells.length === 2 && cells[0].startsWith('Pneumonia') && !cells[0].includes('consolidation') && cells[1].startsWith('Pneumonia (consolidation)') && cells[1].includes('Airspace'),
      `old and new version side by side: ${cells}`);
    assert((await panel.locator('th').allTextContents()).join(' ').match(/1\.0\.0.*1\.1\.0/), 'the two versions are named');
    await screen(reviewer, '14-re-evaluate');
    await reviewer.context().close();
  });

  await check('no Content-Security-Policy violation and no script error on any page', async () => {
    assert(cspViolations.length === 0, cspViolations.join('\n'));
  });
} catch {
  // reported above; the summary below counts it
} finally {
  if (annotator) await annotator.screenshot({ path: `${artifacts}/last-annotator-page.png`, fullPage: true }).catch(() => {});
  await browser.close();
  await writeFile(`${artifacts}/report.json`, JSON.stringify({ results, accessibility }, null, 2));
}
console.log(`${results.filter((r) => r.ok).length} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
