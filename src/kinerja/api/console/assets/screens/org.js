// The org tree: every unit of the tenant under its parent, with its code, kind and head.
import { t } from '../i18n.js';
import { h } from '../ui.js';
import { loadUnits } from '../units.js';

export const id = 'org';
export const allowed = (can) => can('org:manage:tenant');

function branch(unit) {
  const below = [...(unit.children || [])].sort((a, b) => a.code.localeCompare(b.code));
  const label = h('span', { class: 'unit' }, h('code', {}, unit.code), ' ', unit.name, ' ',
    h('small', {}, unit.kind.toLowerCase()), unit.head ? h('small', { class: 'muted' }, ` · ${t('head')}: ${unit.head.name}`) : '');
  if (!below.length) return h('li', { 'data-unit': unit.code }, label);
  return h('li', { 'data-unit': unit.code },
    h('details', { open: true }, h('summary', {}, label), h('ul', {}, below.map(branch))));
}

export async function render(main) {
  const { roots } = await loadUnits();
  const sorted = [...roots].sort((a, b) => a.code.localeCompare(b.code));
  main.append(h('ul', { class: 'tree', id: 'org-tree' }, sorted.map(branch)));
}
