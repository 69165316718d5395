// Review and adjudication: the labels of every annotator (or the AI) side by side, the case's
// agreement, and the decision ($review: accept / modify / reject with comment; $adjudicate: the
// chosen labels with a rationale).
import * as auth from './auth.js';
import { fhir, param, all } from './api.js';
import { h, show, status, errorBox } from './dom.js';
import * as drafts from './drafts.js';
import { actionOf, keyOf } from './shortcuts.js';
import { EXT_CONFIDENCE, EXT_REASONING, EXT_SPAN, EXT_REGION, inputs, stageOf, projectOfTask, schemaOf } from './project.js';
import { noteText, framesOfStudy, shapeOf, renderNote, regionShape, loadFrame, colourIndex, STROKES, WINDOWS } from './source.js';

function ownerOf(fhirUser) {
  return fhirUser?.match(/(PractitionerRole\/[^/]+)$/)?.[1] || fhirUser;
}

/** Groups the task's labels by who made them: [{name, labels: [{ref, observation}]}]. */
async function labelGroups(task) {
  const groups = new Map();
  const entries = [
    ...inputs(task, 'label').map((i) => ({ input: i, ai: false })),
    ...inputs(task, 'suggestion').map((i) => ({ input: i, ai: true })),
  ];
  // A re-evaluate task decides on the label it focuses on.
  if (!entries.length && task.focus?.reference?.startsWith('Observation/')) {
    entries.push({ input: { valueReference: task.focus }, ai: false });
  }
  const performers = [];
  for (const { input, ai } of entries) {
    const ref = input.valueReference?.reference;
    if (!ref) continue;
    const observation = await fhir.read(ref);
    const method = observation.method?.coding?.[0]?.code;
    let name = input.valueReference.display;
    if (!name) {
      if (ai || method === 'ai') name = 'AI';
      else {
        const performer = observation.performer?.[0]?.reference || '?';
        if (!performers.includes(performer)) performers.push(performer);
        name = `annotator ${performers.indexOf(performer) + 1}`;
      }
    }
    if (!groups.has(name)) groups.set(name, []);
    groups.get(name).push({ ref, observation });
  }
  return [...groups.entries()].map(([name, labels]) => ({ name, labels }));
}

export async function decideTask(task) {
  const me = auth.user();
  const stage = stageOf(task);
  const schema = await schemaOf(projectOfTask(task));
  const groups = await labelGroups(task);
  const first = groups[0]?.labels[0]?.observation;
  // The case: the note or study a label derives from (a decided label may also derive from others).
  const sourceRef = groups.flatMap((g) => g.labels).flatMap((l) => l.observation.derivedFrom || [])
    .map((d) => d.reference).find((r) => /^(DocumentReference|ImagingStudy)\//.test(r || '')) || task.focus?.reference;
  const source = await fhir.read(sourceRef);
  const isImage = source.resourceType === 'ImagingStudy';
  const text = isImage ? '' : await noteText(source);
  const display = (code) => schema.all.find((c) => c.code === code)?.display || code;
  const codeOf = (o) => o.code?.coding?.[0]?.code;

  const saved = drafts.load(me.name, task.id) || {};
  const draft = { decision: saved.decision || '', comment: saved.comment || '', chosen: saved.chosen || '', codes: saved.codes || {}, savedAt: saved.savedAt };
  const persist = () => drafts.save(me.name, task.id, draft);
  const conflict = task.status !== 'in-progress' || ownerOf(task.owner?.reference) !== ownerOf(me.fhirUser)
    ? `This ${stage} task is ${task.status}${task.owner?.reference && ownerOf(task.owner.reference) !== ownerOf(me.fhirUser) ? ` and held by ${task.owner.reference}` : ''}: it was completed or reassigned elsewhere. Your draft is kept but cannot be sent.`
    : null;

  // ---- agreement of the case: the code sets of each group
  const codeSets = groups.map((g) => [...new Set(g.labels.map((l) => codeOf(l.observation)))].sort().join(', '));
  const agree = codeSets.length > 1 && codeSets.every((c) => c === codeSets[0]);
  const agreement = h('p', { id: 'agreement', class: agree ? 'ok' : 'conflict' },
    groups.length < 2 ? `One set of labels to decide on (${groups[0]?.name || 'none'}).`
      : agree ? `The ${groups.length} label sets agree on the codes (${codeSets[0]}).`
        : `The label sets disagree: ${groups.map((g, i) => `${g.name}: ${codeSets[i] || 'none'}`).join(' · ')}.`);

  // ---- side by side
  let comparison;
  if (isImage) {
    const frames = await framesOfStudy(source);
    let frameIndex = 0;
    let windowIndex = 0;
    const visible = new Set(groups.map((g) => g.name));
    const img = h('img', { alt: 'Rendered image of the case' });
    const svg = h('svg', { role: 'img', 'aria-label': 'Regions of each label set', preserveAspectRatio: 'none' });
    const viewer = h('div', { class: 'viewer', tabindex: '0', id: 'viewer' }, img, svg);
    const draw = () => {
      const frame = frames[frameIndex];
      const shapes = [];
      groups.forEach((g, gi) => {
        if (!visible.has(g.name)) return;
        for (const l of g.labels) {
          const shape = shapeOf(l.observation);
          if (shape.region && shape.region.sop === frame.instance && (shape.region.frame || 1) === frame.frame) shapes.push(regionShape(shape.region, STROKES[(gi * 3) % 9], { 'data-group': g.name }));
        }
      });
      svg.replaceChildren(...shapes);
    };
    const showFrame = async () => {
      const size = await loadFrame(img, frames[frameIndex], WINDOWS[windowIndex].window);
      svg.setAttribute('viewBox', `0 0 ${size.width} ${size.height}`);
      draw();
    };
    const toggles = h('fieldset', { class: 'row' }, h('legend', {}, 'Show regions of'),
      groups.map((g, gi) => {
        const box = h('input', { type: 'checkbox', id: `show-${gi}`, checked: true });
        box.addEventListener('change', () => { if (box.checked) visible.add(g.name); else visible.delete(g.name); draw(); });
        return h('label', { for: `show-${gi}` }, box, h('svg', { width: 12, height: 12, 'aria-hidden': 'true' }, h('rect', { width: 12, height: 12, fill: STROKES[(gi * 3) % 9] })), ` ${g.name}`);
      }));
    const windows = h('div', { class: 'row', role: 'group', 'aria-label': 'Window presets' }, 'Window:',
      WINDOWS.map((w, i) => h('button', { type: 'button', onclick: async () => { windowIndex = i; await showFrame(); } }, w.name)));
    viewer.addEventListener('keydown', (event) => {
      const action = actionOf(event);
      if ((action === 'nextImage' || action === 'previousImage') && frames.length > 1) {
        event.preventDefault();
        frameIndex = (frameIndex + (action === 'nextImage' ? 1 : frames.length - 1)) % frames.length;
        showFrame();
      }
    });
    comparison = h('section', { 'aria-label': 'Image with the regions of each label set' }, toggles, windows, viewer);
    comparison.ready = showFrame;
  } else {
    const columns = groups.map((g, gi) => {
      const note = h('div', { class: 'note', tabindex: '0', role: 'region', 'aria-label': `Note with the spans of ${g.name}` });
      const layers = g.labels.map((l) => ({ ...shapeOf(l.observation), colour: colourIndex(schema, codeOf(l.observation)), title: `${g.name}: ${display(codeOf(l.observation))}` }))
        .filter((l) => l.start !== undefined);
      renderNote(note, text, layers, null, null);
      return h('section', { 'aria-label': g.name }, h('h2', {}, g.name), note, labelTable(g, gi));
    });
    comparison = h('div', { class: 'columns' }, columns);
    // Synchronised scrolling of the notes.
    const notes = () => [...comparison.querySelectorAll('.note')];
    let syncing = false;
    comparison.addEventListener('scroll', (event) => {
      if (syncing || !event.target.classList?.contains('note')) return;
      syncing = true;
      for (const other of notes()) if (other !== event.target) other.scrollTop = event.target.scrollTop;
      requestAnimationFrame(() => { syncing = false; });
    }, true);
  }

  function labelTable(g) {
    return h('table', {}, h('caption', { class: 'sr-only' }, `Labels of ${g.name}`),
      h('thead', {}, h('tr', {}, ['Class', 'Where', 'Confidence', 'Reasoning'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, g.labels.map((l) => {
        const shape = shapeOf(l.observation);
        const confidence = l.observation.extension?.find((e) => e.url === EXT_CONFIDENCE)?.valueDecimal;
        const reasoning = l.observation.extension?.find((e) => e.url === EXT_REASONING)?.valueString;
        return h('tr', {}, h('td', {}, display(codeOf(l.observation))),
          h('td', {}, shape.start !== undefined ? `“${text.slice(shape.start, shape.end)}”` : shape.region ? `${shape.region.graphicType.toLowerCase()} (${shape.region.points.length} points)` : 'whole case'),
          h('td', {}, confidence ?? '—'), h('td', {}, reasoning || '—'));
      })));
  }

  // ---- the decision
  const message = h('div', {});
  const comment = h('textarea', { id: 'comment', rows: '3' }, draft.comment);
  comment.addEventListener('input', () => { draft.comment = comment.value; persist(); });
  let form;
  if (stage === 'adjudicate') {
    const choices = h('fieldset', {}, h('legend', {}, 'Final labels'),
      groups.map((g, gi) => {
        const radio = h('input', { type: 'radio', name: 'chosen', id: `choose-${gi}`, value: g.name, checked: draft.chosen === g.name ? true : null });
        radio.addEventListener('change', () => { draft.chosen = g.name; persist(); });
        return h('div', {}, radio, h('label', { for: `choose-${gi}` }, ` The labels of ${g.name} (${g.labels.map((l) => display(codeOf(l.observation))).join(', ')})`));
      }));
    form = h('section', { class: 'panel', 'aria-label': 'Adjudication' }, h('h2', {}, 'Adjudicate'), choices,
      h('label', { class: 'field', for: 'comment' }, h('span', {}, 'Rationale (required)'), comment));
  } else {
    const decisions = h('fieldset', {}, h('legend', {}, 'Decision'),
      [['accept', `Accept (${keyOf('acceptSuggestion')})`], ['modify', `Modify (${keyOf('modifySuggestion')})`], ['reject', `Reject (${keyOf('rejectSuggestion')})`]].map(([value, text]) => {
        const radio = h('input', { type: 'radio', name: 'decision', id: `decision-${value}`, value, checked: draft.decision === value ? true : null });
        radio.addEventListener('change', () => { draft.decision = value; persist(); modifyBox.hidden = value !== 'modify'; });
        return h('span', { class: 'row' }, radio, h('label', { for: `decision-${value}` }, text));
      }));
    const reviewed = groups.flatMap((g) => g.labels);
    var modifyBox = h('div', { hidden: draft.decision !== 'modify' ? true : null }, h('p', {}, 'Corrected classes:'),
      reviewed.map((l, i) => {
        const select = h('select', { id: `modify-${i}`, 'aria-label': `Corrected class of label ${i + 1}` },
          schema.concepts.map((c) => h('option', { value: c.code, selected: (draft.codes[l.ref] || codeOf(l.observation)) === c.code ? true : null }, c.display)));
        select.addEventListener('change', () => { draft.codes[l.ref] = select.value; persist(); });
        return h('div', { class: 'row' }, h('label', { for: `modify-${i}` }, `Label ${i + 1}`), select);
      }));
    form = h('section', { class: 'panel', 'aria-label': 'Review decision' }, h('h2', {}, stage === 're-evaluate' ? 'Re-evaluate' : 'Review'), decisions, modifyBox,
      h('label', { class: 'field', for: 'comment' }, h('span', {}, 'Comment (required to modify or reject)'), comment));
  }
  const send = h('button', { type: 'button', class: 'primary', id: 'send-decision', disabled: conflict ? true : null, 'aria-keyshortcuts': keyOf('submit') }, `Send decision (${keyOf('submit')})`);
  send.addEventListener('click', () => sendDecision());
  form.append(message, send);

  function corrected(l) {
    const o = l.observation;
    const copy = { resourceType: 'Observation', code: { coding: [{ system: schema.system, code: draft.codes[l.ref] || codeOf(o) }] } };
    const keep = (o.extension || []).filter((e) => [EXT_SPAN, EXT_REGION].includes(e.url));
    if (keep.length) copy.extension = keep;
    return copy;
  }

  async function sendDecision() {
    if (conflict || send.disabled) return;
    message.replaceChildren();
    const parameters = { resourceType: 'Parameters', parameter: [] };
    let operation;
    if (stage === 'adjudicate') {
      const group = groups.find((g) => g.name === draft.chosen);
      if (!group) return message.append(errorBox('Choose the labels that become final.'));
      if (!draft.comment.trim()) return message.append(errorBox('Give the rationale of your decision.'));
      group.labels.forEach((l) => parameters.parameter.push({ name: 'chosen', valueReference: { reference: l.ref } }));
      parameters.parameter.push({ name: 'rationale', valueString: draft.comment.trim() });
      operation = '$adjudicate';
    } else {
      if (!draft.decision) return message.append(errorBox('Choose accept, modify or reject.'));
      if (draft.decision !== 'accept' && !draft.comment.trim()) return message.append(errorBox('A comment is required to modify or reject.'));
      parameters.parameter.push({ name: 'decision', valueCode: draft.decision });
      if (draft.comment.trim()) parameters.parameter.push({ name: 'comment', valueString: draft.comment.trim() });
      if (draft.decision === 'modify') groups.flatMap((g) => g.labels).forEach((l) => parameters.parameter.push({ name: 'label', resource: corrected(l) }));
      operation = '$review';
    }
    send.disabled = true;
    try {
      const answer = await fhir.operation(`Task/${task.id}/${operation}`, parameters);
      drafts.discard(me.name, task.id);
      const outcome = param(answer, 'outcome')?.valueCode;
      show(h('h1', {}, 'Decision sent'),
        h('p', { class: 'ok', id: 'outcome' }, { final: 'The case is final.', 're-annotate': 'The labels were rejected: the case goes back to the annotators.', amended: 'The label is amended.' }[outcome] || `Outcome: ${outcome}.`),
        h('p', {}, h('a', { href: '#/', id: 'back-to-worklist' }, 'Back to the worklist')));
    } catch (error) {
      if (error.status === 401) return;
      message.append(errorBox(error.message));
      send.disabled = false;
    }
  }

  const onKey = (event) => {
    if (event.target.closest?.('input[type=text], textarea, select')) {
      if (actionOf(event) === 'submit') { event.preventDefault(); sendDecision(); }
      return;
    }
    const action = actionOf(event);
    const pick = { acceptSuggestion: 'accept', modifySuggestion: 'modify', rejectSuggestion: 'reject' }[action];
    if (pick && stage !== 'adjudicate') {
      event.preventDefault();
      const radio = document.getElementById(`decision-${pick}`);
      radio.checked = true;
      radio.dispatchEvent(new Event('change'));
      if (pick !== 'accept') comment.focus();
    } else if (action === 'submit') {
      event.preventDefault();
      sendDecision();
    }
  };
  const page = h('div', { 'data-workspace': 'decide' },
    conflict ? h('p', { class: 'conflict', role: 'alert', id: 'conflict' }, conflict) : saved.savedAt ? h('p', { class: 'ok', id: 'draft-restored' }, 'Draft restored.') : null,
    agreement, stage === 're-evaluate' ? await schemaChange(task, first, schema) : null, comparison, form);
  const keys = (event) => { if (!event.target.closest?.('dialog')) onKey(event); };
  document.addEventListener('keydown', keys);
  show(h('h1', {}, `${stage === 'adjudicate' ? 'Adjudicate' : 'Review'} · task ${task.id}`),
    h('p', { class: 'muted' }, `${sourceRef} · ${schema.system}|${schema.version}`), page);
  if (comparison.ready) await comparison.ready();
  status('');
  return () => {
    persist();
    document.removeEventListener('keydown', keys);
  };
}

/** A concept of a CodeSystem (nested concepts included) by code, or undefined. */
function conceptIn(codeSystem, code) {
  const walk = (list) => {
    for (const c of list || []) {
      if (c.code === code) return c;
      const inner = walk(c.concept);
      if (inner) return inner;
    }
    return undefined;
  };
  return walk(codeSystem?.concept);
}

/**
 * On a re-evaluate task: what changed in the schema for this label's class, side by side: the
 * class in the version the label was made under and in the version the project moved to.
 */
async function schemaChange(task, label, schema) {
  const toVersion = inputs(task, 'schema-version')[0]?.valueString || schema.version;
  const change = inputs(task, 'schema-change')[0]?.valueCode || 'changed';
  const coding = label?.code?.coding?.find((c) => c.system === schema.system) || label?.code?.coding?.[0] || {};
  const fromVersion = coding.version || '(not stated)';
  const version = async (v) => (await all(`CodeSystem?url=${encodeURIComponent(schema.system)}&version=${encodeURIComponent(v)}`))[0];
  const [before, after] = await Promise.all([coding.version ? version(coding.version) : null, version(toVersion)]);
  const cell = (codeSystem) => {
    const concept = conceptIn(codeSystem, coding.code);
    if (!codeSystem) return h('td', {}, 'not available');
    if (!concept) return h('td', { class: 'conflict' }, 'not in this version');
    const status = (concept.property || []).find((p) => p.code === 'status');
    return h('td', {},
      h('strong', {}, concept.display || concept.code),
      concept.definition ? h('div', {}, concept.definition) : null,
      status ? h('div', { class: 'muted' }, `status: ${status.valueCode || status.valueString}`) : null);
  };
  return h('section', { class: 'panel', id: 'schema-change', 'aria-labelledby': 'schema-change-title' },
    h('h2', { id: 'schema-change-title' }, `Schema change: ${change}`),
    h('p', {}, `The label's class ${coding.code} under the version it was made with and under the project's new version. Accept keeps the code under ${toVersion}; modify gives it a new one.`),
    h('table', {},
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, `version ${fromVersion} (the label's)`), h('th', { scope: 'col' }, `version ${toVersion} (the project's now)`))),
      h('tbody', {}, h('tr', {}, cell(before), cell(after)))));
}
