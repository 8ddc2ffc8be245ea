// The org tree: every open unit under its parent, with its code, kind and head. Picking a unit fills the
// form beside the tree: rename, re-code or move it (saveOrgUnit), or close it from a day on
// (closeOrgUnit); "new unit" creates one. Units the tenant file lists are the operator's: the API
// refuses them (OWNED_BY_TENANT_FILE) and the message says so.
import { mutate } from '../api.js';
import { t } from '../i18n.js';
import { action, field, h, messages } from '../ui.js';
import { loadUnits, unitLabel } from '../units.js';

export const id = 'org';
export const allowed = (can) => can('org:manage:tenant');

const KINDS = ['SEKRETARIAT', 'DINAS', 'BADAN', 'KANTOR', 'INSPEKTORAT', 'KECAMATAN', 'KELURAHAN', 'NAGARI', 'BAGIAN',
  'BIDANG', 'SUBBAGIAN', 'SEKSI', 'UPT'];
const SAVE = `mutation SaveOrgUnit($input: SaveOrgUnitInput!) {
  saveOrgUnit(input: $input) { orgUnit { id code } userErrors { field code message } } }`;
const CLOSE = `mutation CloseOrgUnit($input: CloseOrgUnitInput!) {
  closeOrgUnit(input: $input) { orgUnit { id closedOn } userErrors { field code message } } }`;

function branch(unit, pick) {
  const below = [...(unit.children || [])].sort((a, b) => a.code.localeCompare(b.code));
  const label = h('span', { class: 'unit' },
    h('button', { type: 'button', class: 'code', 'data-pick': unit.code, onclick: () => pick(unit) }, unit.code), ' ',
    unit.name, ' ', h('small', {}, unit.kind.toLowerCase()),
    unit.head ? h('small', { class: 'muted' }, ` · ${t('head')}: ${unit.head.name}`) : '');
  if (!below.length) return h('li', { 'data-unit': unit.code }, label);
  return h('li', { 'data-unit': unit.code },
    h('details', { open: true }, h('summary', {}, label), h('ul', {}, below.map((child) => branch(child, pick)))));
}

function unitForm(unit, flat, note, done) {
  const code = h('input', { name: 'unit-code', value: unit ? unit.code : '' });
  const name = h('input', { name: 'unit-name', value: unit ? unit.name : '' });
  const kind = h('select', { name: 'unit-kind', disabled: Boolean(unit) },
    KINDS.map((k) => h('option', { value: k, selected: unit && unit.kind === k }, k.toLowerCase())));
  const parentOf = unit ? flat.find((u) => (u.children || []).some((c) => c.id === unit.id)) : null;
  const parent = h('select', { name: 'unit-parent' }, h('option', { value: '' }, t('topLevel')),
    flat.filter((u) => !unit || u.id !== unit.id)
      .map((u) => h('option', { value: u.id, selected: parentOf && parentOf.id === u.id }, unitLabel(u))));
  const closedOn = h('input', { type: 'date', name: 'closed-on', value: new Date().toISOString().slice(0, 10) });
  const save = action(t('save'), async () => {
    const input = { name: name.value.trim(), code: code.value.trim() || null, parentId: parent.value || null,
      topLevel: !parent.value };
    if (unit) input.id = unit.id;
    else input.kind = kind.value;
    await mutate(SAVE, { input }, 'saveOrgUnit');
    await done(t('saved'));
  }, note, { id: 'save-unit' });
  const close = unit ? h('div', { class: 'row' }, field(t('closedOn'), closedOn), action(t('closeUnit'), async () => {
    await mutate(CLOSE, { input: { id: unit.id, closedOn: closedOn.value } }, 'closeOrgUnit');
    await done(t('unitClosed'));
  }, note, { id: 'close-unit', class: 'secondary' })) : '';
  return h('section', { class: 'card', id: 'unit-form' }, h('h2', {}, unit ? `${unit.code} · ${unit.name}` : t('newUnit')),
    h('div', { class: 'stack' }, field(t('code'), code), field(t('name'), name), field(t('kind'), kind),
      field(t('parentUnit'), parent)), save, close);
}

export async function render(main, { text = null } = {}) {
  const note = messages();
  const { roots, flat } = await loadUnits();
  const side = h('div', { class: 'pane narrow' }, h('p', { class: 'notice' }, t('pickUnit')));
  const reload = async (message) => {
    main.replaceChildren(h('h1', {}, t('org')));
    await render(main, { text: message });
  };
  const pick = (unit) => side.replaceChildren(unitForm(unit, flat, note, reload));
  const sorted = [...roots].sort((a, b) => a.code.localeCompare(b.code));
  main.append(h('div', { class: 'toolbar' }, h('button', { type: 'button', id: 'new-unit', onclick: () => pick(null) },
    `+ ${t('newUnit')}`)), note.box,
  h('div', { class: 'split' }, h('ul', { class: 'tree', id: 'org-tree' }, sorted.map((unit) => branch(unit, pick))), side));
  if (text) note.show(text);
}
