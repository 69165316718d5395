// Keyboard shortcuts: every action has one, shown in the UI, and each can be changed (stored in
// localStorage). Keys are written as KeyboardEvent.key, with "Ctrl+" / "Alt+" / "Shift+" prefixes.

const STORE = 'quorum.shortcuts';

export const ACTIONS = [
  ['nextCase', 'Next case (worklist)', 'n'],
  ['extendLeft', 'Select: extend one character left', 'Shift+ArrowLeft'],
  ['extendRight', 'Select: extend one character right', 'Shift+ArrowRight'],
  ['extendWordLeft', 'Select: extend one word left', 'Ctrl+Shift+ArrowLeft'],
  ['extendWordRight', 'Select: extend one word right', 'Ctrl+Shift+ArrowRight'],
  ['caretLeft', 'Move the caret one character left', 'ArrowLeft'],
  ['caretRight', 'Move the caret one character right', 'ArrowRight'],
  ['wordLeft', 'Move the caret one word left', 'Ctrl+ArrowLeft'],
  ['wordRight', 'Move the caret one word right', 'Ctrl+ArrowRight'],
  ['clearSelection', 'Clear the selection / cancel drawing', 'Escape'],
  ['label', 'Label the selection (or region) with class 1–9', '1…9'],
  ['documentLabel', 'Whole-case label with class 1–9', 'Shift+1…9'],
  ['nextLabel', 'Select the next label', ']'],
  ['previousLabel', 'Select the previous label', '['],
  ['deleteLabel', 'Delete the selected label', 'Delete'],
  ['acceptSuggestion', 'Accept the selected AI suggestion', 'a'],
  ['rejectSuggestion', 'Reject the selected AI suggestion', 'x'],
  ['modifySuggestion', 'Modify the selected AI suggestion', 'm'],
  ['polygon', 'Image: polygon tool (Enter closes)', 'g'],
  ['rectangle', 'Image: rectangle tool', 'r'],
  ['ellipse', 'Image: ellipse tool', 'e'],
  ['point', 'Image: point tool', 'p'],
  ['polyline', 'Image: polyline tool (Enter ends)', 'l'],
  ['finishShape', 'Image: close the polygon / end the polyline', 'Enter'],
  ['panTool', 'Image: pan mode (drag or arrows; middle-button drag always pans)', 'h'],
  ['windowTool', 'Image: window/level mode (drag or arrows; right-button drag always does)', 'w'],
  ['zoomIn', 'Image: zoom in', '+'],
  ['zoomOut', 'Image: zoom out', '-'],
  ['nextImage', 'Image: next image or frame', 'PageDown'],
  ['previousImage', 'Image: previous image or frame', 'PageUp'],
  ['submit', 'Submit / send the decision', 'Ctrl+Enter'],
  ['help', 'Show the shortcuts', '?'],
];

const FIXED = new Set(['label', 'documentLabel']);

function custom() {
  try {
    return JSON.parse(localStorage.getItem(STORE) || '{}');
  } catch {
    return {};
  }
}

export function keyOf(action) {
  const entry = ACTIONS.find((a) => a[0] === action);
  return custom()[action] || entry?.[2];
}

/** The key of an event in the notation above. */
export function eventKey(event) {
  let k = event.key;
  if (k === ' ') k = 'Space';
  const shiftMatters = k.length > 1 || event.ctrlKey || event.altKey;
  return `${event.ctrlKey || event.metaKey ? 'Ctrl+' : ''}${event.altKey ? 'Alt+' : ''}${event.shiftKey && shiftMatters ? 'Shift+' : ''}${k}`;
}

/** The action an event triggers, if any. */
export function actionOf(event) {
  const k = eventKey(event);
  const mine = custom();
  for (const [action, , fallback] of ACTIONS) {
    if (FIXED.has(action)) continue;
    if ((mine[action] || fallback) === k) return action;
  }
  return null;
}

/** Renders the shortcuts dialog (with the keys editable). */
export function renderDialog(dialog) {
  const mine = custom();
  dialog.replaceChildren();
  const title = document.createElement('h2');
  title.id = 'shortcuts-title';
  title.textContent = 'Keyboard shortcuts';
  const table = document.createElement('table');
  table.innerHTML = '<thead><tr><th scope="col">Action</th><th scope="col">Key</th></tr></thead>';
  const body = document.createElement('tbody');
  for (const [action, text, fallback] of ACTIONS) {
    const row = document.createElement('tr');
    const name = document.createElement('td');
    name.textContent = text;
    const cell = document.createElement('td');
    if (FIXED.has(action)) {
      cell.innerHTML = `<kbd>${fallback}</kbd>`;
    } else {
      const input = document.createElement('input');
      input.value = mine[action] || fallback;
      input.setAttribute('aria-label', `Key for: ${text}`);
      input.dataset.action = action;
      cell.append(input);
    }
    row.append(name, cell);
    body.append(row);
  }
  table.append(body);
  const buttons = document.createElement('div');
  buttons.className = 'row';
  const save = document.createElement('button');
  save.type = 'button';
  save.className = 'primary';
  save.textContent = 'Save keys';
  save.addEventListener('click', () => {
    const next = {};
    for (const input of dialog.querySelectorAll('input[data-action]')) {
      const fallback = ACTIONS.find((a) => a[0] === input.dataset.action)[2];
      if (input.value.trim() && input.value.trim() !== fallback) next[input.dataset.action] = input.value.trim();
    }
    localStorage.setItem(STORE, JSON.stringify(next));
    dialog.close();
  });
  const reset = document.createElement('button');
  reset.type = 'button';
  reset.textContent = 'Restore defaults';
  reset.addEventListener('click', () => {
    localStorage.removeItem(STORE);
    renderDialog(dialog);
  });
  const close = document.createElement('button');
  close.type = 'button';
  close.textContent = 'Close';
  close.addEventListener('click', () => dialog.close());
  buttons.append(save, reset, close);
  dialog.append(title, table, buttons);
}
