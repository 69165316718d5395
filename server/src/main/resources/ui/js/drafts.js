// Drafts: the labels of a task being worked on, saved in localStorage at every change, so that
// a reload, a crash or an expired session loses nothing. A draft belongs to one user and one task.

const PREFIX = 'quorum.draft.';

function key(user, task) {
  return `${PREFIX}${user}.${task}`;
}

export function load(user, task) {
  try {
    return JSON.parse(localStorage.getItem(key(user, task)) || 'null');
  } catch {
    return null;
  }
}

export function save(user, task, draft) {
  localStorage.setItem(key(user, task), JSON.stringify({ ...draft, savedAt: new Date().toISOString() }));
}

export function discard(user, task) {
  localStorage.removeItem(key(user, task));
}

/** The tasks this user has drafts of. */
export function tasksWithDrafts(user) {
  const prefix = `${PREFIX}${user}.`;
  const tasks = [];
  for (let i = 0; i < localStorage.length; i++) {
    const k = localStorage.key(i);
    if (k.startsWith(prefix)) tasks.push(k.slice(prefix.length));
  }
  return tasks;
}
