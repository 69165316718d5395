// Labelling a claimed task: annotate, calibrate (several cases), blind read. Notes: spans made with
// the mouse or the keyboard only; images: regions drawn on the rendered frames. Every change is
// saved as a draft; submit sends $submit.
import * as auth from './auth.js';
import { fhir, param, ApiError } from './api.js';
import { h, show, status, errorBox } from './dom.js';
import * as drafts from './drafts.js';
import { actionOf, keyOf } from './shortcuts.js';
import { EXT_SPAN, EXT_REGION, EXT_CONFIDENCE, EXT_REASONING, inputs, outputs, stageOf, projectOfTask, schemaOf } from './project.js';
import { noteText, framesOfStudy, shapeOf, renderNote, selectionOffsets, regionShape, loadFrame, colourIndex, STROKES, WINDOWS } from './source.js';

const CONFLICT_CODES = new Set(['WORKFLOW-006', 'WORKFLOW-007', 'WORKFLOW-014']);

function ownerOf(fhirUser) {
  return fhirUser?.match(/(PractitionerRole\/[^/]+)$/)?.[1] || fhirUser;
}

let uid = 0;
let activeKeys = null;
const newId = () => `l${Date.now().toString(36)}${(uid++).toString(36)}`;

/** Labels of this task already stored, by source (calibration rounds are submitted per case). */
async function submittedSources(task) {
  const done = new Set();
  for (const out of outputs(task, 'label')) {
    const reference = out.valueReference?.reference;
    if (!reference) continue;
    try {
      const label = await fhir.read(reference);
      (label.derivedFrom || []).forEach((d) => done.add(d.reference));
    } catch {
      // a label we may not read: counts as not known
    }
  }
  return done;
}

export async function labelTask(task) {
  const me = auth.user();
  const stage = stageOf(task);
  const project = projectOfTask(task);
  const schema = await schemaOf(project);
  const sources = stage === 'calibrate'
    ? inputs(task, 'case').map((i) => i.valueReference.reference)
    : [task.focus?.reference];
  const done = stage === 'calibrate' ? await submittedSources(task) : new Set();
  const suggestionRefs = inputs(task, 'suggestion').map((i) => i.valueReference?.reference).filter(Boolean);
  const suggestions = [];
  for (const reference of suggestionRefs) suggestions.push(await fhir.read(reference));

  const saved = drafts.load(me.name, task.id);
  const draft = saved || { cases: {}, current: sources.find((s) => !done.has(s)) || sources[0] };
  const conflict = !['ready', 'in-progress'].includes(task.status) || ownerOf(task.owner?.reference) !== ownerOf(me.fhirUser)
    ? `This ${stage} task is ${task.status}${task.owner?.reference && ownerOf(task.owner.reference) !== ownerOf(me.fhirUser) ? ` and now held by ${task.owner.reference}` : ''}: it was completed or reassigned elsewhere. Your draft is kept on this computer and shown below, but it cannot be submitted.`
    : null;

  const state = { task, stage, schema, sources, done, suggestions, draft, conflict, active: 0, selected: null, caret: 0, anchor: null, restored: !!saved };
  const persist = () => drafts.save(me.name, task.id, state.draft);
  state.persist = persist;
  await renderCase(state, me);
  return () => {
    state.persist();
    if (activeKeys) document.removeEventListener('keydown', activeKeys);
    activeKeys = null;
  };
}

function caseDraft(state) {
  const key = state.draft.current;
  state.draft.cases[key] ||= { labels: [], decisions: {} };
  return state.draft.cases[key];
}

async function renderCase(state, me) {
  const source = state.draft.current;
  const resource = await fhir.read(source);
  const current = caseDraft(state);
  const isImage = resource.resourceType === 'ImagingStudy';
  const title = { annotate: 'Label the case', calibrate: 'Calibration round', review: 'Blind read' }[state.stage] || 'Label';

  const banner = h('div', {});
  if (state.conflict) banner.append(h('p', { class: 'conflict', role: 'alert', id: 'conflict' }, state.conflict));
  else if (state.restored) banner.append(h('p', { class: 'ok', id: 'draft-restored' }, `Draft restored (saved ${new Date(state.draft.savedAt || Date.now()).toLocaleTimeString()}).`));

  const palette = h('div', { class: 'palette', role: 'group', 'aria-label': 'Label classes' },
    state.schema.concepts.slice(0, 9).map((c, i) => h('button', {
      type: 'button', 'aria-pressed': String(state.active === i), 'aria-keyshortcuts': String(i + 1), dataset: { index: String(i) },
      onclick: () => { applyClass(state, i, false); redraw(); },
    }, h('span', { class: `swatch c${colourIndex(state.schema, c.code)}`, 'aria-hidden': 'true' }), `${i + 1} ${c.display}`)));

  const labelList = h('ul', { class: 'labels', 'aria-label': 'My labels' });
  const suggestionList = h('section', { 'aria-label': 'AI suggestions' });
  const message = h('div', {});
  const submit = h('button', { type: 'button', class: 'primary', id: 'submit', 'aria-keyshortcuts': keyOf('submit'), disabled: !!state.conflict }, `Submit (${keyOf('submit')})`);
  submit.addEventListener('click', () => doSubmit());

  let casePicker = null;
  if (state.stage === 'calibrate') {
    casePicker = h('nav', { 'aria-label': 'Calibration cases', class: 'row' },
      state.sources.map((s, i) => h('button', {
        type: 'button', 'aria-current': s === source ? 'true' : null, class: s === source ? 'primary' : null,
        onclick: async () => { state.persist(); state.draft.current = s; await renderCase(state, me); },
      }, `Case ${i + 1}${state.done.has(s) ? ' ✓' : ''}`)));
  }

  // ---- the source
  let sourceView;
  let text = '';
  let frames = [];
  let frameIndex = 0;
  let windowIndex = 0;
  let customWindow = null; // { center, width } set by dragging (or the keys of the W/L mode)
  let mode = null; // 'pan' or 'window': what a left-button drag and the arrow keys do
  let size = { width: 1, height: 1 };
  const img = h('img', { alt: 'Rendered image of the case' });
  const svg = h('svg', { role: 'img', 'aria-label': 'Regions drawn on the image', preserveAspectRatio: 'none' });
  let drawing = null; // { tool, points }
  let crosshair = null;
  if (isImage) {
    frames = await framesOfStudy(resource);
    const viewer = h('div', { class: 'viewer', tabindex: '0', id: 'viewer', 'aria-label': 'Image: draw with the mouse, or move the crosshair with the arrow keys and press Space to add a point' }, img, svg);
    const tools = h('div', { class: 'row tools', role: 'toolbar', 'aria-label': 'Drawing tools' },
      [['polygon', 'Polygon'], ['rectangle', 'Rectangle'], ['ellipse', 'Ellipse'], ['point', 'Point'], ['polyline', 'Polyline']].map(([tool, name]) =>
        h('button', { type: 'button', 'aria-pressed': 'false', dataset: { tool }, onclick: () => startTool(tool) }, `${name} (${keyOf(tool)})`)));
    const modes = h('div', { class: 'row tools', role: 'toolbar', 'aria-label': 'View tools' },
      [['pan', 'panTool', 'Pan'], ['window', 'windowTool', 'Window/level']].map(([m, action, name]) =>
        h('button', { type: 'button', 'aria-pressed': 'false', dataset: { mode: m }, 'aria-keyshortcuts': keyOf(action), onclick: () => startMode(m) }, `${name} (${keyOf(action)})`)),
      h('span', { class: 'muted' }, '· or drag with the middle button (pan), the right button (window/level)'));
    const windowLabel = h('span', { id: 'window-label', 'aria-live': 'polite' });
    const windows = h('div', { class: 'row', role: 'group', 'aria-label': 'Window presets' }, 'Window:',
      WINDOWS.map((w, i) => h('button', { type: 'button', 'aria-pressed': String(i === windowIndex), onclick: async () => { windowIndex = i; customWindow = null; await showFrame(); } }, w.name)),
      windowLabel);
    const frameLabel = h('p', { class: 'muted', id: 'frame-label' });
    let zoom = 1;
    const setZoom = (factor) => {
      zoom = Math.min(8, Math.max(0.5, zoom * factor));
      img.style.width = `${Math.round(512 * zoom)}px`; // CSSOM, allowed by the page's CSP
      zoomLabel.textContent = `${Math.round(zoom * 100)} %`;
    };
    const zoomLabel = h('span', { 'aria-live': 'polite' }, '100 %');
    const zooms = h('div', { class: 'row', role: 'group', 'aria-label': 'Zoom' }, 'Zoom:',
      h('button', { type: 'button', onclick: () => setZoom(1.25), 'aria-keyshortcuts': keyOf('zoomIn') }, `In (${keyOf('zoomIn')})`),
      h('button', { type: 'button', onclick: () => setZoom(0.8), 'aria-keyshortcuts': keyOf('zoomOut') }, `Out (${keyOf('zoomOut')})`),
      zoomLabel);
    const scroller = h('div', { class: 'pan', tabindex: '-1', id: 'pan' }, viewer);
    sourceView = h('section', { 'aria-label': 'Image' }, tools, modes, windows, zooms, frameLabel, scroller);
    sourceView.zoom = setZoom;
    // The window in force: dragged or keyed, else the preset, else (null) the image's own.
    const currentWindow = () => customWindow || WINDOWS[windowIndex].window;
    // One rendering at a time; a change made meanwhile renders once more when it is done.
    let rendering = null;
    let renderAgain = false;
    const renderSoon = () => {
      if (rendering) { renderAgain = true; return; }
      rendering = showFrame().catch((error) => status(error.message)).finally(() => {
        rendering = null;
        if (renderAgain) { renderAgain = false; renderSoon(); }
      });
    };
    const setWindow = (w) => {
      customWindow = { center: Math.round(w.center), width: Math.max(1, Math.round(w.width)) };
      windowIndex = -1;
      windows.querySelectorAll('button').forEach((b) => b.setAttribute('aria-pressed', 'false'));
      windowLabel.textContent = `C ${customWindow.center} W ${customWindow.width}`;
      renderSoon();
    };
    const startingWindow = () => currentWindow() || frames[frameIndex].dicomWindow || { center: 40, width: 400 };
    var startMode = (m) => {
      mode = mode === m ? null : m;
      drawing = null;
      tools.querySelectorAll('button').forEach((b) => b.setAttribute('aria-pressed', 'false'));
      modes.querySelectorAll('button').forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.mode === mode)));
      viewer.classList.toggle('mode-pan', mode === 'pan');
      viewer.classList.toggle('mode-window', mode === 'window');
      status(mode === 'pan' ? 'Pan: drag the image, or use the arrow keys.'
        : mode === 'window' ? 'Window/level: drag left/right for the width, up/down for the level; or the arrow keys (Shift: larger steps).' : '');
      viewer.focus();
      drawRegions();
    };
    let drag = null;
    viewer.addEventListener('contextmenu', (event) => event.preventDefault());
    viewer.addEventListener('pointerdown', (event) => {
      const kind = event.button === 1 ? 'pan' : event.button === 2 ? 'window' : event.button === 0 && !drawing ? mode : null;
      if (!kind) return;
      event.preventDefault();
      viewer.setPointerCapture?.(event.pointerId);
      drag = { kind, x: event.clientX, y: event.clientY, left: scroller.scrollLeft, top: scroller.scrollTop, window: { ...startingWindow() } };
    });
    viewer.addEventListener('pointermove', (event) => {
      if (!drag) return;
      const dx = event.clientX - drag.x;
      const dy = event.clientY - drag.y;
      if (drag.kind === 'pan') {
        scroller.scrollLeft = drag.left - dx;
        scroller.scrollTop = drag.top - dy;
      } else {
        // Right: wider; down: higher level (as in most viewers); faster on wide windows.
        const perPixel = Math.max(1, drag.window.width / 256);
        setWindow({ width: drag.window.width + dx * perPixel, center: drag.window.center + dy * perPixel });
      }
    });
    const endDrag = () => { drag = null; };
    viewer.addEventListener('pointerup', endDrag);
    viewer.addEventListener('pointercancel', endDrag);
    viewer.addEventListener('click', (event) => {
      if (!drawing) return;
      const point = svg.createSVGPoint();
      point.x = event.clientX;
      point.y = event.clientY;
      const p = point.matrixTransform(svg.getScreenCTM().inverse());
      addPoint([Math.round(p.x * 10) / 10, Math.round(p.y * 10) / 10]);
    });
    viewer.addEventListener('dblclick', () => finishShape());
    viewer.addEventListener('keydown', (event) => {
      if (!event.key.startsWith('Arrow') && event.key !== ' ') return;
      event.preventDefault();
      if (mode && event.key.startsWith('Arrow')) {
        const dx = { ArrowLeft: -1, ArrowRight: 1 }[event.key] || 0;
        const dy = { ArrowUp: -1, ArrowDown: 1 }[event.key] || 0;
        if (mode === 'pan') {
          const step = event.shiftKey ? 100 : 20;
          scroller.scrollBy(dx * step, dy * step);
        } else {
          const w = startingWindow();
          const step = (event.shiftKey ? 10 : 1) * Math.max(1, Math.round(w.width / 100));
          setWindow({ width: w.width + dx * step, center: w.center - dy * step });
        }
        return;
      }
      crosshair ||= [size.width / 2, size.height / 2];
      const step = event.shiftKey ? 10 : 1;
      if (event.key === 'ArrowLeft') crosshair[0] = Math.max(0, crosshair[0] - step);
      if (event.key === 'ArrowRight') crosshair[0] = Math.min(size.width, crosshair[0] + step);
      if (event.key === 'ArrowUp') crosshair[1] = Math.max(0, crosshair[1] - step);
      if (event.key === 'ArrowDown') crosshair[1] = Math.min(size.height, crosshair[1] + step);
      if (event.key === ' ' && drawing) addPoint([...crosshair]);
      drawRegions();
    });
    sourceView.showFrame = null;
    var showFrame = async () => {
      const frame = frames[frameIndex];
      frameLabel.textContent = `${frame.label} (${frameIndex + 1} of ${frames.length}) · ${keyOf('previousImage')} / ${keyOf('nextImage')} to move`;
      windows.querySelectorAll('button').forEach((b, i) => b.setAttribute('aria-pressed', String(i === windowIndex)));
      const w = currentWindow();
      windowLabel.textContent = w ? `C ${w.center} W ${w.width}` : 'the image\'s own';
      size = await loadFrame(img, frame, w);
      svg.setAttribute('viewBox', `0 0 ${size.width} ${size.height}`);
      drawRegions();
    };
    var startTool = (tool) => {
      if (mode) startMode(mode); // leaves the pan or W/L mode
      drawing = { tool, points: [] };
      tools.querySelectorAll('button').forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.tool === tool)));
      status(`${tool}: click on the image (or arrows + Space) to place points${tool === 'polygon' || tool === 'polyline' ? '; Enter finishes' : ''}.`);
      viewer.focus();
      drawRegions();
    };
    var addPoint = (p) => {
      drawing.points.push(p);
      const need = { point: 1, rectangle: 2, ellipse: 2 }[drawing.tool];
      if (need && drawing.points.length >= need) finishShape();
      else drawRegions();
    };
    var finishShape = () => {
      if (!drawing) return;
      const { tool, points } = drawing;
      let region = null;
      if (tool === 'point' && points.length >= 1) region = { graphicType: 'POINT', points: [points[0]] };
      if (tool === 'rectangle' && points.length >= 2) {
        const [[x1, y1], [x2, y2]] = points;
        region = { graphicType: 'POLYLINE', points: [[x1, y1], [x2, y1], [x2, y2], [x1, y2], [x1, y1]] };
      }
      if (tool === 'ellipse' && points.length >= 2) {
        const [[x1, y1], [x2, y2]] = points;
        const cx = (x1 + x2) / 2;
        const cy = (y1 + y2) / 2;
        // DICOM ELLIPSE: the end points of the major axis, then of the minor axis (PS3.3 C.18.6.1.2).
        region = Math.abs(x2 - x1) >= Math.abs(y2 - y1)
          ? { graphicType: 'ELLIPSE', points: [[x1, cy], [x2, cy], [cx, y1], [cx, y2]] }
          : { graphicType: 'ELLIPSE', points: [[cx, y1], [cx, y2], [x1, cy], [x2, cy]] };
      }
      if (tool === 'polygon' && points.length >= 3) region = { graphicType: 'POLYLINE', points: [...points, points[0]] };
      if (tool === 'polyline' && points.length >= 2) region = { graphicType: 'POLYLINE', points };
      drawing = null;
      tools.querySelectorAll('button').forEach((b) => b.setAttribute('aria-pressed', 'false'));
      if (!region) {
        status('Not enough points for that shape; nothing drawn.');
        drawRegions();
        return;
      }
      const frame = frames[frameIndex];
      const label = { id: newId(), code: state.schema.concepts[state.active]?.code, region: { ...region, sop: frame.instance, frame: frame.frame } };
      current.labels.push(label);
      state.selected = label.id;
      status(`Region added as ${display(label.code)}.`);
      changed();
    };
  } else {
    text = await noteText(resource);
    sourceView = h('div', {
      class: 'note', id: 'note', tabindex: '0', role: 'textbox', 'aria-readonly': 'true', 'aria-multiline': 'true',
      'aria-label': 'Note text: move with the arrow keys, extend the selection with Shift, label with 1 to 9',
    });
    sourceView.addEventListener('mouseup', () => {
      const offsets = selectionOffsets(sourceView);
      if (!offsets) return;
      state.anchor = offsets.start;
      state.caret = offsets.end;
      window.getSelection().removeAllRanges();
      drawNote();
    });
  }

  const selection = () => (state.anchor === null || state.anchor === state.caret ? null
    : { start: Math.min(state.anchor, state.caret), end: Math.max(state.anchor, state.caret) });

  function display(code) {
    return state.schema.all.find((c) => c.code === code)?.display || code;
  }

  function drawNote() {
    if (isImage) return;
    const layers = current.labels.filter((l) => l.start !== undefined).map((l) => ({
      start: l.start, end: l.end, colour: colourIndex(state.schema, l.code), title: display(l.code),
    }));
    for (const s of state.suggestions) {
      const shape = shapeOf(s);
      if (shape.start !== undefined && !current.decisions[`Observation/${s.id}`]) {
        layers.push({ start: shape.start, end: shape.end, colour: 7, title: `AI: ${display(s.code?.coding?.[0]?.code)}` });
      }
    }
    renderNote(sourceView, text, layers, selection(), document.activeElement === sourceView ? state.caret : null);
  }

  function drawRegions() {
    if (!isImage) return;
    const frame = frames[frameIndex];
    const shapes = current.labels.filter((l) => l.region && l.region.sop === frame.instance && (l.region.frame || 1) === frame.frame).map((l) =>
      regionShape(l.region, STROKES[colourIndex(state.schema, l.code)], { 'data-label': l.id, 'stroke-width': l.id === state.selected ? 4 : 2 }));
    for (const s of state.suggestions) {
      const shape = shapeOf(s);
      if (shape.region && shape.region.sop === frame.instance && (shape.region.frame || 1) === frame.frame && !current.decisions[`Observation/${s.id}`]) {
        shapes.push(regionShape(shape.region, '#7a5cc7', { 'stroke-dasharray': '4 3' }));
      }
    }
    if (drawing && drawing.points.length) {
      shapes.push(h('polyline', { points: drawing.points.map((p) => p.join(',')).join(' '), stroke: '#ffd400', fill: 'none', 'stroke-width': 2, 'vector-effect': 'non-scaling-stroke' }));
      drawing.points.forEach((p) => shapes.push(h('circle', { cx: p[0], cy: p[1], r: 2.5, fill: '#ffd400' })));
    }
    if (crosshair) {
      shapes.push(h('g', {}, h('line', { x1: crosshair[0] - 6, y1: crosshair[1], x2: crosshair[0] + 6, y2: crosshair[1], stroke: '#0ff', 'vector-effect': 'non-scaling-stroke' }),
        h('line', { x1: crosshair[0], y1: crosshair[1] - 6, x2: crosshair[0], y2: crosshair[1] + 6, stroke: '#0ff', 'vector-effect': 'non-scaling-stroke' })));
    }
    svg.replaceChildren(...shapes);
  }

  function drawLabels() {
    labelList.replaceChildren(...current.labels.map((l, index) => {
      const codeSelect = h('select', { 'aria-label': `Class of label ${index + 1}`, id: `code-${l.id}` },
        state.schema.concepts.map((c) => h('option', { value: c.code, selected: c.code === l.code ? true : null }, c.display)));
      codeSelect.addEventListener('change', () => { l.code = codeSelect.value; changed(false); });
      const confidence = h('input', { type: 'number', min: '0', max: '1', step: '0.05', value: l.confidence ?? '', id: `confidence-${l.id}` });
      confidence.addEventListener('input', () => { l.confidence = confidence.value === '' ? undefined : Number(confidence.value); changed(false); });
      const reasoning = h('textarea', { rows: '2', id: `reasoning-${l.id}` }, l.reasoning || '');
      reasoning.addEventListener('input', () => { l.reasoning = reasoning.value; changed(false); });
      const what = l.start !== undefined ? h('span', { class: 'quote' }, `“${text.slice(l.start, l.end)}” (${l.start}–${l.end})`)
        : l.region ? h('span', { class: 'quote' }, `${l.region.graphicType === 'POLYLINE' && l.region.points.length > 3 && l.region.points[0].join() === l.region.points.at(-1).join() ? 'polygon' : l.region.graphicType.toLowerCase()} of ${l.region.points.length} points`)
          : h('span', { class: 'quote' }, 'whole case');
      const remove = h('button', { type: 'button', class: 'danger', 'aria-label': `Delete label ${index + 1}` }, 'Delete');
      remove.addEventListener('click', () => { current.labels = current.labels.filter((x) => x !== l); state.selected = null; changed(); });
      const item = h('li', { class: l.id === state.selected ? 'selected' : null, dataset: { label: l.id } },
        h('div', { class: 'row' }, h('span', { class: `swatch c${colourIndex(state.schema, l.code)}`, 'aria-hidden': 'true' }), codeSelect, what, l.from ? h('span', { class: 'muted' }, `(from AI, ${current.decisions[l.from]})`) : null),
        h('label', { class: 'field', for: `confidence-${l.id}` }, h('span', {}, 'Confidence (0–1)'), confidence),
        h('label', { class: 'field', for: `reasoning-${l.id}` }, h('span', {}, 'Reasoning'), reasoning),
        remove);
      item.addEventListener('focusin', () => { if (state.selected !== l.id) { state.selected = l.id; labelList.querySelectorAll('li').forEach((li) => li.classList.toggle('selected', li.dataset.label === l.id)); } });
      return item;
    }));
    if (!current.labels.length) labelList.append(h('li', { class: 'muted' }, 'No label yet: select text (or draw a region) and press 1–9, or Shift+1–9 for a whole-case label.'));
  }

  function drawSuggestions() {
    suggestionList.replaceChildren();
    if (!state.suggestions.length) return;
    suggestionList.append(h('h2', {}, 'AI suggestions'));
    state.suggestions.forEach((s, index) => {
      const ref = `Observation/${s.id}`;
      const decision = current.decisions[ref];
      const shape = shapeOf(s);
      const code = s.code?.coding?.[0]?.code;
      const confidence = s.extension?.find((e) => e.url === EXT_CONFIDENCE)?.valueDecimal;
      const where = shape.start !== undefined ? `“${text.slice(shape.start, shape.end)}”` : shape.region ? `${shape.region.graphicType.toLowerCase()} region` : 'whole case';
      const act = (kind) => () => decideSuggestion(s, kind);
      suggestionList.append(h('div', { class: 'suggestion', tabindex: '0', dataset: { suggestion: ref }, 'aria-label': `AI suggestion ${index + 1}: ${display(code)}` },
        h('strong', {}, display(code)), ` · ${where}`, confidence !== undefined ? ` · confidence ${confidence}` : '',
        decision ? h('p', { class: 'muted' }, `You ${decision} this suggestion.`) : h('div', { class: 'row' },
          h('button', { type: 'button', onclick: act('accepted') }, `Accept (${keyOf('acceptSuggestion')})`),
          h('button', { type: 'button', onclick: act('modified') }, `Modify (${keyOf('modifySuggestion')})`),
          h('button', { type: 'button', class: 'danger', onclick: act('rejected') }, `Reject (${keyOf('rejectSuggestion')})`))));
    });
  }

  function decideSuggestion(s, kind) {
    const ref = `Observation/${s.id}`;
    current.decisions[ref] = kind;
    if (kind !== 'rejected') {
      const shape = shapeOf(s);
      const label = { id: newId(), code: s.code?.coding?.[0]?.code, from: ref, ...shape };
      current.labels.push(label);
      state.selected = label.id;
    }
    changed();
    if (kind === 'modified') document.getElementById(`code-${state.selected}`)?.focus();
  }

  function applyClass(stateRef, index, wholeCase) {
    const concept = state.schema.concepts[index];
    if (!concept) return;
    state.active = index;
    palette.querySelectorAll('button').forEach((b) => b.setAttribute('aria-pressed', String(Number(b.dataset.index) === index)));
    const range = selection();
    if (wholeCase) {
      const label = { id: newId(), code: concept.code };
      current.labels.push(label);
      state.selected = label.id;
      status(`Whole-case label ${concept.display} added.`);
      changed();
    } else if (range && !isImage) {
      const label = { id: newId(), code: concept.code, start: range.start, end: range.end, quote: text.slice(range.start, range.end) };
      current.labels.push(label);
      state.selected = label.id;
      state.anchor = null;
      state.caret = range.end;
      status(`Span “${label.quote}” labelled ${concept.display}.`);
      changed();
    } else {
      status(`Class ${concept.display} selected.`);
    }
  }

  function redraw() {
    drawNote();
    drawRegions();
    drawLabels();
    drawSuggestions();
  }

  function changed(full = true) {
    state.persist();
    if (full) redraw();
  }

  function moveWord(from, direction) {
    const word = /[\p{L}\p{N}_]/u;
    let i = from;
    if (direction > 0) {
      while (i < text.length && !word.test(text[i])) i++;
      while (i < text.length && word.test(text[i])) i++;
    } else {
      while (i > 0 && !word.test(text[i - 1])) i--;
      while (i > 0 && word.test(text[i - 1])) i--;
    }
    return i;
  }

  function onKey(event) {
    if (event.target.closest('input, textarea, select')) {
      if (actionOf(event) === 'submit') { event.preventDefault(); doSubmit(); }
      return;
    }
    if (document.getElementById('shortcuts').open) return;
    const digit = event.code?.match(/^(?:Digit|Numpad)([1-9])$/)?.[1];
    if (digit && !event.ctrlKey && !event.altKey && !event.metaKey) {
      event.preventDefault();
      const index = Number(digit) - 1;
      if (isImage && !event.shiftKey && state.selected && !selection()) {
        const l = current.labels.find((x) => x.id === state.selected && x.region);
        if (l && state.schema.concepts[index]) { l.code = state.schema.concepts[index].code; state.active = index; changed(); return; }
      }
      applyClass(state, index, event.shiftKey);
      return;
    }
    const action = actionOf(event);
    if (!action) return;
    const inNote = event.target === sourceView && !isImage;
    const caretMoves = { caretLeft: -1, caretRight: 1, extendLeft: -1, extendRight: 1 };
    if (inNote && (action in caretMoves || ['wordLeft', 'wordRight', 'extendWordLeft', 'extendWordRight'].includes(action))) {
      event.preventDefault();
      const extend = action.startsWith('extend');
      if (extend && state.anchor === null) state.anchor = state.caret;
      if (!extend) state.anchor = null;
      if (action in caretMoves) state.caret = Math.max(0, Math.min(text.length, state.caret + caretMoves[action]));
      else state.caret = moveWord(state.caret, action.endsWith('Left') ? -1 : 1);
      drawNote();
      return;
    }
    switch (action) {
      case 'clearSelection':
        state.anchor = null;
        if (drawing) { drawing = null; status('Drawing cancelled.'); }
        if (isImage && mode) startMode(mode);
        redraw();
        break;
      case 'nextLabel':
      case 'previousLabel': {
        if (!current.labels.length) break;
        const at = current.labels.findIndex((l) => l.id === state.selected);
        const next = (at + (action === 'nextLabel' ? 1 : -1) + current.labels.length) % current.labels.length;
        state.selected = current.labels[next].id;
        redraw();
        break;
      }
      case 'deleteLabel':
        if (state.selected) {
          current.labels = current.labels.filter((l) => l.id !== state.selected);
          state.selected = null;
          status('Label deleted.');
          changed();
        }
        break;
      case 'acceptSuggestion':
      case 'rejectSuggestion':
      case 'modifySuggestion': {
        const focused = event.target.closest?.('[data-suggestion]')?.dataset.suggestion;
        const s = state.suggestions.find((x) => `Observation/${x.id}` === focused)
          || state.suggestions.find((x) => !current.decisions[`Observation/${x.id}`]);
        if (s && !current.decisions[`Observation/${s.id}`]) {
          decideSuggestion(s, { acceptSuggestion: 'accepted', rejectSuggestion: 'rejected', modifySuggestion: 'modified' }[action]);
        }
        break;
      }
      case 'polygon': case 'rectangle': case 'ellipse': case 'point': case 'polyline':
        if (isImage) startTool(action);
        break;
      case 'panTool':
      case 'windowTool':
        if (isImage) startMode(action === 'panTool' ? 'pan' : 'window');
        break;
      case 'finishShape':
        if (isImage && drawing) { event.preventDefault(); finishShape(); }
        break;
      case 'zoomIn':
      case 'zoomOut':
        if (isImage) sourceView.zoom(action === 'zoomIn' ? 1.25 : 0.8);
        break;
      case 'nextImage':
      case 'previousImage':
        if (isImage && frames.length > 1) {
          event.preventDefault();
          frameIndex = (frameIndex + (action === 'nextImage' ? 1 : frames.length - 1)) % frames.length;
          showFrame();
        }
        break;
      case 'submit':
        event.preventDefault();
        doSubmit();
        break;
      default:
        return;
    }
  }

  function observationOf(l) {
    const observation = { resourceType: 'Observation', code: { coding: [{ system: state.schema.system, code: l.code }] }, extension: [] };
    if (l.start !== undefined) {
      observation.extension.push({ url: EXT_SPAN, extension: [
        { url: 'start', valueInteger: l.start }, { url: 'end', valueInteger: l.end }, { url: 'quote', valueString: text.slice(l.start, l.end) }] });
    }
    if (l.region) {
      observation.extension.push({ url: EXT_REGION, extension: [
        { url: 'sopInstanceUid', valueId: l.region.sop },
        { url: 'frame', valuePositiveInt: l.region.frame || 1 },
        { url: 'graphicType', valueCode: l.region.graphicType },
        { url: 'coordinates', valueString: l.region.points.map((p) => `${p[0]} ${p[1]}`).join(' ') }] });
    }
    if (l.confidence !== undefined && !Number.isNaN(l.confidence)) observation.extension.push({ url: EXT_CONFIDENCE, valueDecimal: l.confidence });
    if (l.reasoning?.trim()) observation.extension.push({ url: EXT_REASONING, valueString: l.reasoning.trim() });
    if (state.stage === 'calibrate') observation.derivedFrom = [{ reference: source }];
    if (!observation.extension.length) delete observation.extension;
    return observation;
  }

  async function doSubmit() {
    if (state.conflict || submit.disabled) return;
    message.replaceChildren();
    if (!current.labels.length) {
      message.append(errorBox('Add at least one label before submitting.'));
      return;
    }
    const undecided = state.suggestions.filter((s) => !current.decisions[`Observation/${s.id}`]);
    if (undecided.length) {
      message.append(errorBox(`Decide on every AI suggestion first (${undecided.length} left): accept, modify or reject.`));
      return;
    }
    submit.disabled = true;
    try {
      let latest;
      try {
        latest = await fhir.read(`Task/${state.task.id}`);
      } catch (error) {
        // No longer assigned to me: the server does not let me read it any more.
        if (error.status === 403 || error.status === 404) {
          throw new ApiError(409, 'This task is no longer yours: it was reassigned, cancelled or completed elsewhere.', 'WORKFLOW-007');
        }
        throw error;
      }
      if (!['ready', 'in-progress'].includes(latest.status) || ownerOf(latest.owner?.reference) !== ownerOf(auth.user().fhirUser)) {
        throw new ApiError(409, `This task is ${latest.status} and held by ${latest.owner?.reference || 'nobody'}: it was completed or reassigned elsewhere.`, 'WORKFLOW-007');
      }
      const answer = await fhir.operation(`Task/${state.task.id}/$submit`, {
        resourceType: 'Parameters', parameter: current.labels.map((l) => ({ name: 'label', resource: observationOf(l) })) });
      const outcome = param(answer, 'outcome')?.valueCode;
      delete state.draft.cases[source];
      state.done.add(source);
      const remaining = state.sources.filter((s) => !state.done.has(s));
      if (state.stage === 'calibrate' && remaining.length && outcome === 'submitted') {
        state.draft.current = remaining[0];
        state.persist();
        status('Submitted; next calibration case.');
        await renderCase(state, me);
        return;
      }
      drafts.discard(me.name, state.task.id);
      state.persist = () => {};
      const calibration = param(answer, 'calibration');
      const figure = (name) => calibration?.part?.find((p) => p.name === name);
      const agreement = figure('percentAgreement')?.part?.find((p) => p.name === 'value')?.valueDecimal;
      show(h('h1', {}, 'Submitted'),
        h('p', { class: 'ok', id: 'outcome' }, {
          submitted: 'Your labels are stored.', final: 'Your labels are stored; the case is final.', adjudicate: 'Your labels are stored; the annotators disagree, so the case goes to adjudication.',
          'calibration-passed': `Calibration passed${agreement !== undefined ? ` (agreement ${(agreement * 100).toFixed(0)} %)` : ''}: you can take cases now.`,
          'calibration-failed': `Calibration failed${agreement !== undefined ? ` (agreement ${(agreement * 100).toFixed(0)} %)` : ''}: a new round is open.`,
        }[outcome] || `Outcome: ${outcome}.`),
        h('p', {}, h('a', { href: '#/', id: 'back-to-worklist' }, 'Back to the worklist')));
    } catch (error) {
      if (error.status === 401) return;
      if (CONFLICT_CODES.has(error.code) || error.status === 409) {
        state.conflict = `${error.message} Your draft is kept on this computer; it was not submitted.`;
        banner.replaceChildren(h('p', { class: 'conflict', role: 'alert', id: 'conflict' }, state.conflict));
      } else {
        message.append(errorBox(error.message));
        submit.disabled = false;
      }
    }
  }

  const discard = h('button', { type: 'button', onclick: () => {
    drafts.discard(me.name, state.task.id);
    state.persist = () => {};
    location.hash = '#/';
  } }, 'Discard draft and leave');

  const workspace = h('div', { class: 'workspace', 'data-workspace': 'label' },
    h('div', {}, sourceView),
    h('aside', { class: 'panel', 'aria-label': 'Labels' },
      h('h2', {}, 'Classes'), palette, suggestionList, h('h2', {}, 'My labels'), labelList, message,
      h('div', { class: 'row' }, submit, state.conflict ? discard : null)));
  // The shortcuts work wherever the focus is on the page (the view's clean-up removes them).
  if (activeKeys) document.removeEventListener('keydown', activeKeys);
  activeKeys = (event) => { if (event.target.closest?.('dialog')) return; onKey(event); };
  document.addEventListener('keydown', activeKeys);
  if (!isImage) {
    sourceView.addEventListener('focus', drawNote);
    sourceView.addEventListener('blur', drawNote);
  }
  show(h('h1', {}, `${title} · task ${state.task.id}`),
    h('p', { class: 'muted' }, `${source} · ${state.schema.system}|${state.schema.version}`),
    banner, casePicker, workspace);
  redraw();
  if (isImage) await showFrame();
  state.restored = false;
}
