// Small DOM helpers: elements are built with h(), never from HTML strings, so no submitted or stored
// value is ever parsed as markup.
import { t } from './i18n.js';

export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else if (name === 'class') element.className = value;
    else if (name in element && typeof value !== 'string') element[name] = value;
    else element.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

export function table(headers, rows, attrs = {}) {
  return h('table', attrs,
    h('thead', {}, h('tr', {}, headers.map((label) => h('th', {}, label)))),
    h('tbody', {}, rows));
}

export function errorText(error) {
  if (error.errors) return error.errors.map((e) => e.message).join(' ');
  if (error.code === 'NETWORK') return t('networkError');
  if (error.code === 'FORBIDDEN') return error.message || t('forbidden');
  return error.message || String(error);
}

// A message area: show(text, 'error' | 'ok'), clear().
export function messages() {
  const box = h('div', { class: 'messages', role: 'status' });
  return {
    box,
    show(text, kind = 'ok') {
      box.replaceChildren(h('p', { class: kind }, text));
    },
    fail(error) {
      box.replaceChildren(h('p', { class: 'error' }, errorText(error)));
    },
    clear() {
      box.replaceChildren();
    },
  };
}

// Runs an action from a button: disables it meanwhile and reports a failure in the message area.
export function action(label, run, note, attrs = {}) {
  const button = h('button', { type: 'button', ...attrs }, label);
  button.addEventListener('click', async () => {
    button.disabled = true;
    note.clear();
    try {
      await run();
    } catch (error) {
      note.fail(error);
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

export function field(label, input) {
  return h('label', { class: 'field' }, h('span', {}, label), input);
}
