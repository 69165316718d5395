// The project dashboard (project admins, auditors): progress and backlog, work per annotator,
// automation-bias figures, and the quality report.
import { fhir, all } from './api.js';
import * as auth from './auth.js';
import { h, show, errorBox } from './dom.js';

function figure(value) {
  if (value === undefined || value === null) return '—';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(3);
  return String(value);
}

function quantity(score) {
  if (!score) return undefined;
  return score.unit === 's' ? `${figure(score.value)} s` : figure(score.value);
}

/** The bootstrap interval of a score (quorum-confidence-interval), as "[lower, upper]". */
function interval(element) {
  const all = [...(element.extension || []), ...(element.measureScore?.extension || [])];
  const ci = all.find((e) => e.url.endsWith('/quorum-confidence-interval'));
  if (!ci) return '';
  const part = (name) => ci.extension?.find((e) => e.url === name)?.valueDecimal;
  const lower = part('lower');
  const upper = part('upper');
  return lower === undefined ? '' : ` [${figure(lower)}, ${figure(upper)}]`;
}

function valueName(value) {
  return value?.text || value?.coding?.[0]?.display || value?.coding?.[0]?.code;
}

/** A stratum's name: its value, or its components (an annotator pair: "a × b"). */
function stratumName(stratum) {
  return valueName(stratum.value) || (stratum.component || []).map((c) => valueName(c.value)).filter(Boolean).join(' × ') || '?';
}

/** A MeasureReport's groups as tables: one row per stratum (or the group itself). */
function reportTables(report) {
  return (report.group || []).map((group) => {
    const scope = (group.stratifier || []).map((st) => st.code?.[0]?.coding?.[0]?.code || st.code?.[0]?.text).filter(Boolean).join(', ');
    const name = `${group.code?.coding?.[0]?.display || group.code?.coding?.[0]?.code || group.code?.text || 'figure'}${scope ? ` by ${scope}` : ''}`;
    const rows = [];
    const populations = (g) => (g.population || []).map((p) => `${p.code?.coding?.[0]?.code}: ${p.count}`).join(', ');
    if (group.measureScore || group.population) rows.push(['all', `${quantity(group.measureScore) ?? '—'}${interval(group)}`, populations(group)]);
    for (const stratifier of group.stratifier || []) {
      for (const stratum of stratifier.stratum || []) {
        const flags = (stratum.extension || []).map((e) => e.valueCode || e.valueString).filter(Boolean).join(', ');
        rows.push([stratumName(stratum), `${quantity(stratum.measureScore) ?? '—'}${interval(stratum)}`, `${populations(stratum)}${flags ? ` · ${flags}` : ''}`]);
      }
    }
    return h('table', {}, h('caption', {}, name),
      h('thead', {}, h('tr', {}, ['Who', 'Value [95 % interval]', 'Counts'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, c ?? '—'))))));
  });
}

export async function dashboard(projectId) {
  const studies = await all('ResearchStudy?_count=100&_elements=title,status');
  const picker = h('nav', { 'aria-label': 'Projects' }, h('ul', {}, studies.map((s) =>
    h('li', {}, h('a', { href: `#/dashboard/${s.id}`, 'aria-current': s.id === projectId ? 'page' : null }, s.title || `ResearchStudy/${s.id}`)))));
  if (!projectId) {
    show(h('h1', {}, 'Projects'), studies.length ? picker : h('p', {}, 'No project yet.'));
    return;
  }
  const study = studies.find((s) => s.id === projectId) || await fhir.read(`ResearchStudy/${projectId}`);
  const sections = [];
  for (const [operation, title] of [['$work-report', 'Progress and work'], ['$agreement', 'Agreement (per class, per pair, with bootstrap intervals)'], ['$automation-bias', 'Automation bias']]) {
    try {
      const report = await fhir.get(`ResearchStudy/${projectId}/${operation}`);
      sections.push(h('section', { 'aria-label': title }, h('h2', {}, title), reportTables(report)));
    } catch (error) {
      sections.push(h('section', {}, h('h2', {}, title), errorBox(error.message)));
    }
  }
  const open = h('button', { type: 'button', id: 'quality-report' }, 'Open the quality report');
  open.addEventListener('click', async () => {
    const response = await fetch(`/quality/report/${projectId}`, { headers: { Authorization: `Bearer ${await auth.freshToken()}`, Accept: 'text/html' } });
    const url = URL.createObjectURL(await response.blob());
    window.open(url, '_blank', 'noopener');
  });
  show(h('h1', {}, `Dashboard · ${study.title || projectId}`), picker, h('div', { class: 'row' }, open), ...sections);
}
