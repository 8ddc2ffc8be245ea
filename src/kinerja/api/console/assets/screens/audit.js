// The audit log, newest first, filtered by operation, object type, actor (for whoever may list users)
// and time; pages of 50.
import { gql } from '../api.js';
import { moment, t } from '../i18n.js';
import { field, h, messages, table } from '../ui.js';

export const id = 'audit';
export const allowed = (can) => can('audit:read:tenant');

const READ = `query Audit($filter: AuditLogFilter, $after: String) {
  auditLog(filter: $filter, first: 50, after: $after) {
    nodes { id occurredAt operation objectType objectId actor { username } changes { field before after } }
    pageInfo { hasNextPage endCursor } } }`;

const USERS = '{ users(first: 100) { nodes { id username } } }';

const shown = (value) => (value === null || value === undefined ? t('none') : JSON.stringify(value));

function entryRow(entry) {
  const changes = entry.changes.length
    ? h('details', {}, h('summary', {}, entry.changes.map((c) => c.field).join(', ')),
      table([t('field'), t('before'), t('after')], entry.changes.map((c) => h('tr', {},
        h('td', {}, c.field), h('td', {}, shown(c.before)), h('td', {}, shown(c.after))))))
    : t('none');
  return h('tr', { 'data-operation': entry.operation },
    h('td', {}, moment(entry.occurredAt)), h('td', {}, entry.operation),
    h('td', {}, entry.objectType || t('none')), h('td', {}, entry.actor ? entry.actor.username : t('none')),
    h('td', {}, changes));
}

export async function render(main, { can }) {
  const note = messages();
  const operation = h('input', { name: 'operation', placeholder: 'createRole' });
  const objectType = h('input', { name: 'object-type', placeholder: 'Role' });
  const actor = h('select', { name: 'actor' }, h('option', { value: '' }, t('anyone')));
  if (can('role:read:tenant')) {
    const { users } = await gql(USERS);
    actor.append(...users.nodes.map((u) => h('option', { value: u.id }, u.username)));
  }
  const from = h('input', { name: 'from', type: 'date' });
  const to = h('input', { name: 'to', type: 'date' });
  const rows = h('tbody', {});
  const more = h('button', { type: 'button', hidden: true }, t('more'));
  let cursor = null;
  const filter = () => ({
    operation: operation.value.trim() || null,
    objectType: objectType.value.trim() || null,
    actorId: actor.value || null,
    from: from.value ? new Date(`${from.value}T00:00:00`).toISOString() : null,
    to: to.value ? new Date(`${to.value}T23:59:59.999`).toISOString() : null,
  });
  const load = async (fresh) => {
    if (fresh) { rows.replaceChildren(); cursor = null; }
    const { auditLog } = await gql(READ, { filter: filter(), after: cursor });
    rows.append(...auditLog.nodes.map(entryRow));
    cursor = auditLog.pageInfo.endCursor;
    more.hidden = !auditLog.pageInfo.hasNextPage;
  };
  more.addEventListener('click', () => load(false).catch(note.fail));
  const form = h('form', { class: 'toolbar' }, field(t('operation'), operation), field(t('objectType'), objectType),
    can('role:read:tenant') ? field(t('actor'), actor) : '', field(t('from'), from), field(t('to'), to), h('button', { type: 'submit' }, t('filter')));
  form.addEventListener('submit', (event) => { event.preventDefault(); note.clear(); load(true).catch(note.fail); });
  const list = h('table', { id: 'audit-log' }, h('thead', {}, h('tr', {},
    [t('when'), t('operation'), t('objectType'), t('actor'), t('changes')].map((label) => h('th', {}, label)))), rows);
  await load(true);
  main.append(form, note.box, list, more);
}
