// Positions (jabatan): kind and functional level. A new one is added, one picked in the list edited
// (savePosition); positions the tenant file lists are the operator's and the API refuses them.
import { gql, mutate } from '../api.js';
import { t } from '../i18n.js';
import { action, field, h, messages, table } from '../ui.js';

export const id = 'positions';
export const allowed = (can) => can('org:manage:tenant');

const READ = '{ positions { id name kind level } }';
const SAVE = `mutation SavePosition($input: SavePositionInput!) {
  savePosition(input: $input) { position { id name } userErrors { field code message } } }`;
const KINDS = ['JPT', 'ADMINISTRATOR', 'PENGAWAS', 'PELAKSANA', 'FUNGSIONAL'];
const LEVELS = ['AHLI_PERTAMA', 'AHLI_MUDA', 'AHLI_MADYA', 'AHLI_UTAMA', 'PEMULA', 'TERAMPIL', 'MAHIR', 'PENYELIA'];
const words = (value) => (value ? value.toLowerCase().replace(/_/g, ' ') : t('none'));

function editor(position, note, done) {
  const name = h('input', { name: 'position-name', value: position ? position.name : '' });
  const kind = h('select', { name: 'position-kind' },
    KINDS.map((k) => h('option', { value: k, selected: position && position.kind === k }, words(k))));
  const level = h('select', { name: 'position-level' }, h('option', { value: '' }, t('none')),
    LEVELS.map((l) => h('option', { value: l, selected: position && position.level === l }, words(l))));
  return h('section', { class: 'card', id: 'position-form' },
    h('h2', {}, position ? position.name : t('newPosition')),
    h('div', { class: 'stack' }, field(t('name'), name), field(t('kind'), kind), field(t('level'), level)),
    action(t('save'), async () => {
      const input = { name: name.value.trim(), kind: kind.value, level: level.value || null };
      if (position) input.id = position.id;
      await mutate(SAVE, { input }, 'savePosition');
      await done(t('saved'));
    }, note, { id: 'save-position' }));
}

export async function render(main, { text = null } = {}) {
  const note = messages();
  const { positions } = await gql(READ);
  const side = h('div', { class: 'pane narrow' });
  const done = async (message) => {
    main.replaceChildren(h('h1', {}, t('positions')));
    await render(main, { text: message });
  };
  const pick = (position) => side.replaceChildren(editor(position, note, done));
  const rows = [...positions].sort((a, b) => a.name.localeCompare(b.name)).map((p) => h('tr', { 'data-position': p.name },
    h('td', {}, h('button', { type: 'button', class: 'link-ink', onclick: () => pick(p) }, p.name)),
    h('td', {}, words(p.kind)), h('td', {}, words(p.level))));
  main.append(h('div', { class: 'toolbar' }, h('button', { type: 'button', id: 'new-position', onclick: () => pick(null) },
    `+ ${t('newPosition')}`)), note.box,
  h('div', { class: 'split' }, table([t('name'), t('kind'), t('level')], rows, { id: 'positions' }), side));
  pick(null);
  if (text) note.show(text);
}
