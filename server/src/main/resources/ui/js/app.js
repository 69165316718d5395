// The reviewer UI: routes (hash based, so every page is /ui/), the header and the shortcuts.
import * as auth from './auth.js';
import { whenSignInNeeded } from './api.js';
import { h, show, status, errorBox } from './dom.js';
import * as shortcuts from './shortcuts.js';
import * as drafts from './drafts.js';
import { worklist } from './worklist.js';
import { labelTask } from './label.js';
import { decideTask } from './review.js';
import { dashboard } from './dashboard.js';

let leave = null; // the current view's clean-up (saves its draft)

async function route() {
  if (leave) {
    leave();
    leave = null;
  }
  status('');
  const hash = location.hash || '#/';
  const me = auth.user();
  const via = auth.providerName();
  document.getElementById('who').textContent = `${me.name} (${me.roles.join(', ')})${via && via !== 'Quorum account' ? ` · ${via}` : ''}`;
  document.getElementById('nav-dashboard').hidden = !me.roles.some((r) => r === 'project-admin' || r === 'auditor');
  document.getElementById('sign-out').hidden = false;
  try {
    let match;
    if ((match = hash.match(/^#\/task\/([^/]+)$/))) {
      leave = await openTask(match[1]);
    } else if (hash.startsWith('#/dashboard')) {
      await dashboard(hash.split('/')[2]);
    } else {
      await worklist();
    }
  } catch (error) {
    if (error.status === 401) return;
    show(h('h1', {}, 'Something went wrong'), errorBox(error.message));
  }
  document.getElementById('main').focus({ preventScroll: true });
}

async function openTask(id) {
  const { fhir } = await import('./api.js');
  let task;
  try {
    task = await fhir.read(`Task/${id}`);
  } catch (error) {
    const draft = drafts.load(auth.user().name, id);
    if (!draft || (error.status !== 403 && error.status !== 404)) throw error;
    // A draft of a task that is no longer mine: say so, keep the draft until the user drops it.
    const discard = h('button', { type: 'button', onclick: () => { drafts.discard(auth.user().name, id); location.hash = '#/'; } }, 'Discard the draft');
    show(h('h1', {}, `Task ${id}`),
      h('p', { class: 'conflict', role: 'alert', id: 'conflict' }, `This task is no longer yours (it was reassigned, cancelled or completed elsewhere): ${error.message}. Your draft, saved ${draft.savedAt || ''}, is kept on this computer.`),
      h('pre', {}, JSON.stringify(draft, null, 2)), discard);
    return null;
  }
  const stage = task.code?.coding?.[0]?.code;
  if (stage === 'review' || stage === 'adjudicate' || stage === 're-evaluate') {
    const blind = (task.input || []).some((i) => i.type?.coding?.some((c) => c.code === 'blind'));
    if (!blind) return decideTask(task);
  }
  return labelTask(task);
}

function globalKeys(event) {
  const target = event.target;
  const typing = target.closest?.('input, textarea, select, [contenteditable]');
  if (typing) return;
  const action = shortcuts.actionOf(event);
  if (action === 'help') {
    event.preventDefault();
    openShortcuts();
  } else if (action === 'nextCase' && !document.querySelector('[data-workspace]')) {
    const next = document.getElementById('next-case');
    if (next) {
      event.preventDefault();
      next.click();
    }
  }
}

function openShortcuts() {
  const dialog = document.getElementById('shortcuts');
  shortcuts.renderDialog(dialog);
  dialog.showModal();
}

/** Quorum's own sign-in or the hospital's identity provider: the user chooses. */
async function chooseProvider() {
  const returnTo = location.hash || '#/';
  const buttons = (await auth.providers()).map((p) => h('li', {},
    h('button', {
      type: 'button',
      class: 'primary',
      id: `sign-in-${p.id}`,
      disabled: p.unavailable ? true : null,
      onclick: () => auth.signIn(returnTo, p.id).catch((error) => status(error.message)),
    }, `Sign in with ${p.name}`),
    p.unavailable ? h('p', { class: 'alert' }, `Not available now: ${p.unavailable}`) : null));
  show(h('h1', {}, 'Sign in to Quorum'),
    h('p', {}, 'Choose where your account is. Your work in progress stays saved on this computer.'),
    h('ul', { class: 'sign-in-choice' }, ...buttons));
  document.querySelector('.sign-in-choice button:not([disabled])')?.focus();
}

async function start() {
  document.getElementById('shortcuts-button').addEventListener('click', openShortcuts);
  document.getElementById('sign-out').addEventListener('click', () => {
    auth.signOut();
    show(h('h1', {}, 'Signed out'), h('p', {}, h('a', { href: './' }, 'Sign in again')));
    document.getElementById('sign-out').hidden = true;
    document.getElementById('who').textContent = '';
  });
  document.addEventListener('keydown', globalKeys);
  whenSignInNeeded(async () => {
    // The session cannot be renewed: the view saves its draft, then the sign-in page; after it
    // the same route opens and the draft is restored.
    if (leave) leave();
    status('Your session expired; your work is saved on this computer. Signing in again…');
    if (!(await auth.signIn(location.hash || '#/'))) await chooseProvider();
  });
  try {
    const back = await auth.completeSignIn();
    if (!back) {
      if (!(await auth.signIn(location.hash || '#/'))) await chooseProvider();
      return;
    }
  } catch (error) {
    show(h('h1', {}, 'Cannot sign in'), errorBox(error.message), h('p', {}, h('a', { href: './' }, 'Try again')));
    return;
  }
  window.addEventListener('hashchange', route);
  window.addEventListener('beforeunload', () => leave && leave());
  await route();
}

start();
