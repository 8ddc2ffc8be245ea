// The org tree: every unit of the tenant under its parent, with its code, kind and head.
import { gql } from '../api.js';
import { t } from '../i18n.js';
import { h } from '../ui.js';

export const id = 'org';
export const allowed = (can) => can('org:manage:tenant');

const READ = '{ orgUnits { id code name kind parent { id } head { name } } }';

function branch(unit, children) {
  const below = children.get(unit.id) || [];
  const label = h('span', { class: 'unit' }, h('code', {}, unit.code), ' ', unit.name, ' ',
    h('small', {}, unit.kind.toLowerCase()), unit.head ? h('small', { class: 'muted' }, ` · ${t('head')}: ${unit.head.name}`) : '');
  if (!below.length) return h('li', { 'data-unit': unit.code }, label);
  return h('li', { 'data-unit': unit.code },
    h('details', { open: true }, h('summary', {}, label), h('ul', {}, below.map((child) => branch(child, children)))));
}

export async function render(main) {
  const { orgUnits } = await gql(READ);
  const children = new Map();
  const known = new Set(orgUnits.map((u) => u.id));
  for (const unit of orgUnits) {
    const parent = unit.parent && known.has(unit.parent.id) ? unit.parent.id : null;
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent).push(unit);
  }
  for (const list of children.values()) list.sort((a, b) => a.code.localeCompare(b.code));
  main.append(h('ul', { class: 'tree', id: 'org-tree' }, (children.get(null) || []).map((unit) => branch(unit, children))));
}
