// The worklist: my tasks by stage with counts, due dates and drafts; "next case"; my calibration.
import * as auth from './auth.js';
import { fhir, all } from './api.js';
import { h, show, status, errorBox } from './dom.js';
import * as drafts from './drafts.js';
import { keyOf } from './shortcuts.js';
import { myProject, outputs, stageOf, projectOfTask } from './project.js';

const STAGES = ['calibrate', 'annotate', 'review', 'adjudicate', 're-evaluate'];
const STAGES_OF_ROLE = { annotator: ['annotate'], reviewer: ['review', 're-evaluate'], adjudicator: ['adjudicate'] };

function ownerOf(fhirUser) {
  return fhirUser?.match(/(PractitionerRole\/[^/]+)$/)?.[1] || fhirUser;
}

function outputValue(task, code) {
  const out = outputs(task, code)[0];
  if (!out) return undefined;
  return out.valueDecimal ?? out.valueBoolean ?? out.valueString ?? out.valueInteger;
}

export async function worklist() {
  const me = auth.user();
  const owner = ownerOf(me.fhirUser);
  if (!owner) {
    show(h('h1', {}, 'Worklist'), h('p', {}, 'Your user has no clinician identity (fhirUser) in a project, so there is no work for you here.'),
      me.roles.includes('project-admin') ? h('p', {}, h('a', { href: '#/dashboard' }, 'Open the project dashboard')) : null);
    return;
  }
  show(h('h1', {}, 'Worklist'), h('p', {}, 'Loading your tasks…'));
  const project = await myProject(me.fhirUser);
  const open = await all(`Task?owner=${encodeURIComponent(owner)}&status=ready,in-progress&_count=100&_sort=-_lastUpdated`);
  const done = await all(`Task?owner=${encodeURIComponent(owner)}&status=completed&_count=200&_elements=code,status,output`);
  const calibrations = [...open, ...done].filter((t) => stageOf(t) === 'calibrate');
  const allowed = new Set(me.roles.flatMap((r) => STAGES_OF_ROLE[r] || []));

  const cards = h('div', { class: 'cards', role: 'list', 'aria-label': 'My tasks by stage' },
    STAGES.filter((s) => s === 'calibrate' ? calibrations.length > 0 || allowed.has('annotate') : allowed.has(s)).map((stage) => h('div', { class: 'card', role: 'listitem' },
      h('div', { class: 'n' }, String(open.filter((t) => stageOf(t) === stage).length)),
      h('div', {}, `${stage}: open`),
      h('div', { class: 'muted' }, `${done.filter((t) => stageOf(t) === stage).length} done`))));

  const message = h('div', {});
  const stageSelect = h('select', { id: 'next-stage' },
    h('option', { value: '' }, 'any stage I may do'),
    [...allowed].map((s) => h('option', { value: s }, s)));
  const next = h('button', { type: 'button', class: 'primary', id: 'next-case', 'aria-keyshortcuts': keyOf('nextCase') }, `Next case (${keyOf('nextCase')})`);
  next.addEventListener('click', async () => {
    next.disabled = true;
    message.replaceChildren();
    try {
      const parameters = { resourceType: 'Parameters', parameter: stageSelect.value ? [{ name: 'stage', valueCode: stageSelect.value }] : [] };
      const task = await fhir.operation(`${project}/$next-case`, parameters);
      if (!task) {
        message.replaceChildren(h('p', { class: 'ok' }, 'Nothing is left for you right now.'));
      } else {
        location.hash = `#/task/${task.id}`;
      }
    } catch (error) {
      const calibrate = error.message.match(/Task\/(\d+|[A-Za-z0-9-.]+)/);
      message.replaceChildren(errorBox(error.message),
        calibrate && error.code === 'WORKFLOW-009' ? h('p', {}, h('a', { href: `#/task/${calibrate[1]}` }, 'Open my calibration round')) : null);
    } finally {
      next.disabled = false;
    }
  });

  const mine = drafts.tasksWithDrafts(me.name);
  const rows = open.map((task) => h('tr', {},
    h('td', {}, stageOf(task) || '?'),
    h('td', {}, task.focus?.reference || ''),
    h('td', {}, projectOfTask(task) || ''),
    h('td', {}, task.restriction?.period?.end?.slice(0, 10) || '—'),
    h('td', {}, task.status, mine.includes(task.id) ? h('span', { class: 'muted' }, ' · draft saved') : null),
    h('td', {}, h('a', { href: `#/task/${task.id}` }, `Open ${stageOf(task)} task ${task.id}`))));
  const table = open.length
    ? h('table', {}, h('caption', { class: 'sr-only' }, 'My open tasks'),
      h('thead', {}, h('tr', {}, ['Stage', 'Case', 'Project', 'Due', 'Status', 'Task'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, rows))
    : h('p', { class: 'muted' }, 'You hold no open task.');

  const latest = calibrations.sort((a, b) => Number(b.id) - Number(a.id))[0];
  let calibration = h('p', { class: 'muted' }, 'No calibration round.');
  if (latest) {
    const passed = outputValue(latest, 'passed');
    const agreement = outputValue(latest, 'percent-agreement');
    const threshold = outputValue(latest, 'threshold');
    calibration = h('p', { id: 'calibration-status' },
      passed === undefined
        ? `Calibration round open (task ${latest.id}).`
        : `${passed ? 'Calibrated' : 'Calibration failed'}: agreement ${(agreement * 100).toFixed(0)} % (threshold ${(threshold * 100).toFixed(0)} %).`);
  }

  show(h('h1', {}, 'Worklist'),
    h('p', { class: 'muted' }, `Project ${project || '—'} · signed in as ${me.name}`),
    cards,
    h('div', { class: 'row' }, h('label', { for: 'next-stage' }, 'Stage'), stageSelect, next),
    message,
    h('h2', {}, 'My calibration'), calibration,
    h('h2', {}, 'My open tasks'), table);
  status('');
}
