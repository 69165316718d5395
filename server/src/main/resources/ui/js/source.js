// Loading and drawing the case source: a de-identified note (text with span highlights) or an
// imaging study (rendered frames with SVG regions in image pixel space).
import { fhir, renderedFrame, dicomJson } from './api.js';
import { h } from './dom.js';
import { EXT_SPAN, EXT_REGION, sub, ext } from './project.js';

export const STROKES = ['#b35900', '#1f7a1f', '#1f5fbf', '#a030a0', '#7a6d00', '#b32222', '#3050c0', '#6a3fbf', '#555'];

export function colourIndex(schema, code) {
  const i = schema.all.findIndex((c) => c.code === code);
  return i < 0 ? 8 : i % 9;
}

/** The text of a DocumentReference (inline data, or a Binary it points to). */
export async function noteText(document) {
  const attachment = document.content?.[0]?.attachment || {};
  if (attachment.data) {
    const bytes = Uint8Array.from(atob(attachment.data), (c) => c.charCodeAt(0));
    return new TextDecoder().decode(bytes);
  }
  if (attachment.url) {
    const binary = await fhir.read(attachment.url.replace(/^.*\/(Binary\/[^/]+)$/, '$1'));
    const bytes = Uint8Array.from(atob(binary.data || ''), (c) => c.charCodeAt(0));
    return new TextDecoder().decode(bytes);
  }
  return '';
}

/**
 * The frames of an ImagingStudy, every frame of multi-frame instances included: the study's
 * WADO-RS metadata gives each instance's Number of Frames (0028,0008).
 */
export async function framesOfStudy(study) {
  const instances = framesOf(study);
  if (!instances.length) return instances;
  const counts = new Map();
  const windows = new Map();
  for (const item of await dicomJson(`/dicomweb/studies/${instances[0].study}/metadata`)) {
    const sop = item['00080018']?.Value?.[0];
    const frames = Number(item['00280008']?.Value?.[0] || 1);
    if (sop) counts.set(sop, frames);
    // The instance's own window (Window Center / Width, first values): where W/L dragging starts.
    const center = Number(item['00281050']?.Value?.[0]);
    const width = Number(item['00281051']?.Value?.[0]);
    if (sop && Number.isFinite(center) && width > 0) windows.set(sop, { center, width });
  }
  return instances.flatMap((f) => Array.from({ length: counts.get(f.instance) || 1 }, (_, i) => ({
    ...f, frame: i + 1, dicomWindow: windows.get(f.instance), label: counts.get(f.instance) > 1 ? `${f.label} · frame ${i + 1} of ${counts.get(f.instance)}` : f.label,
  })));
}

// Instances that hold no pixels to show: structured reports (Quorum writes its TID 1500 SR into
// the study once a label is final), key object selections, presentation states, documents.
const NON_IMAGE_MODALITIES = new Set(['SR', 'KO', 'PR', 'DOC']);
const NON_IMAGE_SOP_CLASS = /^1\.2\.840\.10008\.5\.1\.4\.1\.1\.(88|11|104)\./;

function isImage(series, instance) {
  const sopClass = uid(instance.sopClass?.code);
  return !NON_IMAGE_MODALITIES.has(series.modality?.code) && !NON_IMAGE_SOP_CLASS.test(sopClass);
}

function uid(value) {
  return (value || '').replace(/^urn:oid:/, '');
}

/**
 * The image instances of an ImagingStudy (first frames): [{study, series, instance, frame,
 * label}]. Reports and other instances without pixels are left out.
 */
export function framesOf(study) {
  const studyUid = uid(study.identifier?.find((i) => i.system === 'urn:dicom:uid')?.value);
  const frames = [];
  for (const series of study.series || []) {
    for (const instance of (series.instance || []).filter((i) => isImage(series, i))) {
      frames.push({ study: studyUid, series: series.uid, instance: instance.uid, frame: 1,
        label: `Series ${series.number ?? ''} ${series.modality?.code || ''} · image ${instance.number ?? frames.length + 1}` });
    }
  }
  return frames;
}

/** Span or region of a label Observation, in the draft's shape. */
export function shapeOf(observation) {
  const span = ext(observation, EXT_SPAN);
  const region = ext(observation, EXT_REGION);
  const shape = {};
  if (span) {
    shape.start = sub(span, 'start')?.valueInteger;
    shape.end = sub(span, 'end')?.valueInteger;
    shape.quote = sub(span, 'quote')?.valueString;
  }
  if (region) {
    const numbers = (sub(region, 'coordinates')?.valueString || '').trim().split(/\s+/).map(Number);
    const points = [];
    for (let i = 0; i + 1 < numbers.length; i += 2) points.push([numbers[i], numbers[i + 1]]);
    shape.region = {
      sop: sub(region, 'sopInstanceUid')?.valueId || sub(region, 'sopInstanceUid')?.valueString,
      frame: sub(region, 'frame')?.valuePositiveInt || 1,
      graphicType: sub(region, 'graphicType')?.valueCode,
      points,
    };
  }
  return shape;
}

/**
 * The note with highlighted spans: `layers` is [{start, end, colour, title}], `selection` an
 * optional {start, end}, `caret` an optional position. Each text piece carries data-start so that
 * a mouse selection maps back to character offsets.
 */
export function renderNote(container, text, layers, selection, caret) {
  const cuts = new Set([0, text.length]);
  for (const l of layers) { cuts.add(Math.max(0, l.start)); cuts.add(Math.min(text.length, l.end)); }
  if (selection) { cuts.add(selection.start); cuts.add(selection.end); }
  if (caret !== undefined && caret !== null) cuts.add(caret);
  const points = [...cuts].sort((a, b) => a - b);
  const pieces = [];
  for (let i = 0; i + 1 < points.length || (i === 0 && points.length === 1); i++) {
    const start = points[i];
    const end = points[i + 1] ?? start;
    if (caret === start) pieces.push(h('span', { class: 'caret', 'aria-hidden': 'true' }));
    if (end <= start) continue;
    const covering = layers.filter((l) => l.start <= start && l.end >= end);
    const selected = selection && selection.start <= start && selection.end >= end;
    const piece = covering.length
      ? h('mark', { class: `c${covering[0].colour}${selected ? ' sel' : ''}`, title: covering.map((l) => l.title).join('; '), 'data-start': String(start) }, text.slice(start, end))
      : h('span', { class: selected ? 'sel' : null, 'data-start': String(start) }, text.slice(start, end));
    pieces.push(piece);
  }
  if (caret === text.length) pieces.push(h('span', { class: 'caret', 'aria-hidden': 'true' }));
  container.replaceChildren(...pieces);
}

/** Character offsets of the browser's selection inside a rendered note, or null. */
export function selectionOffsets(container) {
  const selection = window.getSelection();
  if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0);
  const offset = (node, within) => {
    const element = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
    const piece = element?.closest?.('[data-start]');
    if (!piece || !container.contains(piece)) return null;
    return Number(piece.dataset.start) + (node.nodeType === Node.TEXT_NODE ? within : 0);
  };
  const a = offset(range.startContainer, range.startOffset);
  const b = offset(range.endContainer, range.endOffset);
  if (a === null || b === null || a === b) return null;
  return { start: Math.min(a, b), end: Math.max(a, b) };
}

/** SVG for a region in image pixel space. */
export function regionShape(region, stroke, extra = {}) {
  const pts = region.points.map((p) => p.join(',')).join(' ');
  const common = { stroke, 'stroke-width': 2, 'vector-effect': 'non-scaling-stroke', fill: stroke, 'fill-opacity': 0.2, ...extra };
  const closed = region.points.length > 3 && region.points[0][0] === region.points.at(-1)[0] && region.points[0][1] === region.points.at(-1)[1];
  switch (region.graphicType) {
    case 'POINT':
      return h('circle', { cx: region.points[0][0], cy: region.points[0][1], r: 3, ...common, 'fill-opacity': 1 });
    case 'ELLIPSE': {
      const [a, b, c, d] = region.points;
      const cx = (a[0] + b[0]) / 2;
      const cy = (a[1] + b[1]) / 2;
      const rx = Math.hypot(b[0] - a[0], b[1] - a[1]) / 2;
      const ry = Math.hypot(d[0] - c[0], d[1] - c[1]) / 2;
      const angle = (Math.atan2(b[1] - a[1], b[0] - a[0]) * 180) / Math.PI;
      return h('ellipse', { cx, cy, rx, ry, transform: `rotate(${angle} ${cx} ${cy})`, ...common });
    }
    default:
      return closed ? h('polygon', { points: pts, ...common }) : h('polyline', { points: pts, ...common, fill: 'none' });
  }
}

/** Loads a rendered frame into an <img>; resolves with its pixel size. */
export async function loadFrame(img, frame, window) {
  const url = await renderedFrame(frame.study, frame.series, frame.instance, frame.frame, window);
  const previous = img.src;
  await new Promise((resolve, reject) => {
    img.onload = resolve;
    img.onerror = () => reject(new Error('The rendered image could not be shown'));
    img.src = url;
  });
  if (previous.startsWith('blob:')) URL.revokeObjectURL(previous);
  return { width: img.naturalWidth, height: img.naturalHeight };
}

export const WINDOWS = [
  { name: 'Default', window: null },
  { name: 'Lung', window: { center: -600, width: 1500 } },
  { name: 'Soft tissue', window: { center: 40, width: 400 } },
  { name: 'Bone', window: { center: 400, width: 1800 } },
];
