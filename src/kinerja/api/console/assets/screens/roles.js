// Roles with a permission matrix: one row per object and action, one column per scope, from the
// permission catalogue. Custom roles are edited (createRole / updateRole / deleteRole); built-in ones
// are read-only.
import { gql, mutate } from '../api.js';
import { lang, t } from '../i18n.js';
import { action, field, h, messages, table } from '../ui.js';

export const id = 'roles';
export const allowed = (can) => can('role:read:tenant');

const READ = `{ roles { id name description builtIn permissions }
  permissionCatalogue { key object action scope descriptionId descriptionEn } }`;
const ROLE = 'role { id name description builtIn permissions } userErrors { field code message }';
const CREATE = `mutation CreateRole($input: CreateRoleInput!) { createRole(input: $input) { ${ROLE} } }`;
const DELETE = `mutation DeleteRole($input: DeleteRoleInput!) {
  deleteRole(input: $input) { deletedId userErrors { field code message } } }`;
const UPDATE = `mutation UpdateRole($input: UpdateRoleInput!) { updateRole(input: $input) { ${ROLE} } }`;
const SCOPES = [['OWN', 'own'], ['TEAM', 'team'], ['UNIT', 'unit'], ['TENANT', 'tenantScope']];

// A permission the signed-in user does not hold cannot be granted (the API refuses it): its box is disabled.
function matrix(catalogue, held, editable, can) {
  const rows = new Map();
  for (const entry of catalogue) {
    const row = `${entry.object}:${entry.action}`;
    if (!rows.has(row)) rows.set(row, { label: entry, cells: {} });
    rows.get(row).cells[entry.scope] = entry;
  }
  const describe = (entry) => (lang() === 'id' ? entry.descriptionId : entry.descriptionEn);
  const body = [...rows.values()].map(({ label, cells }) => h('tr', {},
    h('th', { scope: 'row' }, describe(label).split(':')[0], h('small', {}, `${label.object}:${label.action}`.toLowerCase())),
    SCOPES.map(([scope]) => h('td', {}, cells[scope]
      ? h('input', { type: 'checkbox', 'data-permission': cells[scope].key, title: describe(cells[scope]),
        checked: held.has(cells[scope].key), disabled: !editable || !can(cells[scope].key) })
      : ''))));
  return table([t('permission'), ...SCOPES.map(([, word]) => t(word))], body, { class: 'matrix' });
}

function editor(role, catalogue, can, saved) {
  const canManage = can('role:manage:tenant');
  const note = messages();
  const editable = canManage && !(role && role.builtIn);
  const name = h('input', { name: 'role-name', value: role ? role.name : '', disabled: !editable });
  const description = h('input', { name: 'role-description', value: role ? role.description : '', disabled: !editable });
  const grid = matrix(catalogue, new Set(role ? role.permissions : []), editable, can);
  const chosen = () => [...grid.querySelectorAll('input[data-permission]:checked')].map((box) => box.dataset.permission);
  const save = action(t('save'), async () => {
    const input = { name: name.value.trim(), description: description.value.trim(), permissions: chosen() };
    const payload = role
      ? await mutate(UPDATE, { input: { id: role.id, ...input } }, 'updateRole')
      : await mutate(CREATE, { input }, 'createRole');
    await saved(payload.role.id, t('saved'));
  }, note, { id: 'save-role' });
  const remove = editable && role ? action(t('deleteRole'), async () => {
    if (!window.confirm(t('confirmDeleteRole', { name: role.name }))) return;
    await mutate(DELETE, { input: { id: role.id } }, 'deleteRole');
    await saved(null, t('roleDeleted'));
  }, note, { id: 'delete-role', class: 'secondary' }) : '';
  return h('section', { class: 'card editor' },
    h('h2', {}, role ? role.name : t('newRole'), role && role.builtIn ? h('small', {}, ` (${t('builtIn')})`) : ''),
    role && role.builtIn ? h('p', { class: 'notice' }, t('builtInNote')) : '',
    h('div', { class: 'row' }, field(t('roleName'), name), field(t('description'), description), editable ? save : '',
      remove),
    note.box, grid);
}

export async function render(main, { can, selected = null, text = null }) {
  const { roles, permissionCatalogue } = await gql(READ);
  const canManage = can('role:manage:tenant');
  const pane = h('div', { class: 'pane' });
  const pick = (role) => {
    list.querySelectorAll('button').forEach((b) => b.classList.toggle('current', b.dataset.role === (role ? role.name : '')));
    pane.replaceChildren(editor(role, permissionCatalogue, can, async (roleId, text) => {
      main.replaceChildren(h('h1', {}, t('roles')));
      await render(main, { can, selected: roleId, text });
    }));
  };
  const list = h('div', { class: 'list' },
    canManage ? h('button', { type: 'button', id: 'new-role', 'data-role': '', onclick: () => pick(null) }, `+ ${t('newRole')}`) : '',
    roles.map((role) => h('button', { type: 'button', 'data-role': role.name, onclick: () => pick(role) },
      role.name, role.builtIn ? h('small', {}, ` ${t('builtIn')}`) : '')));
  main.append(h('div', { class: 'split' }, list, pane));
  pick(roles.find((r) => r.id === selected) || roles[0]);
  if (text) pane.querySelector('.messages').replaceChildren(h('p', { class: 'ok' }, text));
}
