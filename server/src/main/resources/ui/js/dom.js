// A tiny element builder: h('button', { class: 'primary', onclick }, 'Submit').

export function h(tag, attributes = {}, ...children) {
  const element = tag === 'svg' || SVG_TAGS.has(tag)
    ? document.createElementNS('http://www.w3.org/2000/svg', tag)
    : document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else if (name === 'dataset') {
      Object.assign(element.dataset, value);
    } else {
      element.setAttribute(name === 'className' ? 'class' : name, value === true ? '' : value);
    }
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

const SVG_TAGS = new Set(['polygon', 'polyline', 'circle', 'ellipse', 'rect', 'line', 'g', 'title', 'text']);

export function status(message) {
  document.getElementById('status').textContent = message || '';
}

export function show(...children) {
  const main = document.getElementById('main');
  main.replaceChildren(...children.filter((c) => c !== null && c !== undefined && c !== false));
}

export function errorBox(message) {
  return h('p', { class: 'alert', role: 'alert' }, message);
}
