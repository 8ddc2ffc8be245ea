// Users: search, create (with an employee and roles), assign and revoke roles, deactivate and
// reactivate, and reset a password with a one-time code (shown once, or mailed).
import { gql, mutate } from '../api.js';
import { t } from '../i18n.js';
import { action, field, h, messages, table } from '../ui.js';

export const id = 'users';
export const allowed = (can) => can('role:read:tenant');

const USER = 'id username active roles employee { name nip }';
const READ = `query Users($search: String) { roles { name builtIn }
  users(first: 50, filter: { search: $search }) { nodes { ${USER} } } }`;
const EMPLOYEES = `query Employees($search: String) {
  employees(first: 10, filter: { search: $search }) { nodes { id nip name } } }`;
const PAYLOAD = `user { ${USER} } userErrors { field code message }`;
const CREATE = `mutation CreateUser($input: CreateUserInput!) { createUser(input: $input) { ${PAYLOAD} } }`;
const ASSIGN = `mutation AssignRole($input: RoleAssignmentInput!) { assignRole(input: $input) { ${PAYLOAD} } }`;
const REVOKE = `mutation RevokeRole($input: RoleAssignmentInput!) { revokeRole(input: $input) { ${PAYLOAD} } }`;
const DEACTIVATE = `mutation DeactivateUser($input: DeactivateUserInput!) { deactivateUser(input: $input) { ${PAYLOAD} } }`;
const REACTIVATE = `mutation ReactivateUser($input: ReactivateUserInput!) { reactivateUser(input: $input) { ${PAYLOAD} } }`;
const RESET = `mutation ResetUserPassword($input: ResetUserPasswordInput!) {
  resetUserPassword(input: $input) { code delivery userErrors { field code message } } }`;

function userRow(user, roleNames, can, note, reload) {
  const manageRoles = can('role:manage:tenant');
  const chips = user.roles.map((role) => h('span', { class: 'chip' }, role, manageRoles
    ? action('×', async () => {
      await mutate(REVOKE, { input: { userId: user.id, role } }, 'revokeRole');
      await reload(t('saved'));
    }, note, { title: t('revoke'), class: 'link', 'data-revoke': role })
    : ''));
  const choice = h('select', { 'data-assign-select': user.username },
    roleNames.filter((name) => !user.roles.includes(name)).map((name) => h('option', { value: name }, name)));
  const assign = manageRoles && choice.options.length ? h('span', { class: 'assign' }, choice, action(t('assign'), async () => {
    await mutate(ASSIGN, { input: { userId: user.id, role: choice.value } }, 'assignRole');
    await reload(t('saved'));
  }, note, { 'data-assign': user.username })) : '';
  const manageUsers = can('user:manage:tenant');
  const deactivate = manageUsers && user.active ? action(t('deactivate'), async () => {
    if (!window.confirm(t('confirmDeactivate', { name: user.username }))) return;
    await mutate(DEACTIVATE, { input: { id: user.id } }, 'deactivateUser');
    await reload(t('saved'));
  }, note, { 'data-deactivate': user.username }) : '';
  const reactivate = manageUsers && !user.active ? action(t('reactivate'), async () => {
    await mutate(REACTIVATE, { input: { id: user.id } }, 'reactivateUser');
    await reload(t('saved'));
  }, note, { 'data-reactivate': user.username }) : '';
  const reset = manageUsers && user.active ? action(t('resetPassword'), async () => {
    const payload = await mutate(RESET, { input: { userId: user.id } }, 'resetUserPassword');
    note.show(payload.delivery === 'SHOWN' ? t('oneTimeCode', { code: payload.code }) : t('codeMailed'));
  }, note, { 'data-reset': user.username, class: 'secondary' }) : '';
  return h('tr', { 'data-user': user.username },
    h('td', {}, user.username),
    h('td', {}, user.employee ? `${user.employee.name} (${user.employee.nip})` : t('none')),
    h('td', {}, user.active ? t('active') : h('span', { class: 'muted' }, t('inactive'))),
    h('td', {}, chips, assign),
    h('td', {}, h('div', { class: 'actions' }, reset, deactivate, reactivate)));
}

function createForm(roleNames, note, created) {
  const username = h('input', { name: 'new-username', autocomplete: 'off' });
  const password = h('input', { name: 'new-password', type: 'password', autocomplete: 'new-password' });
  const search = h('input', { name: 'employee-search', placeholder: t('employeeSearch') });
  const employee = h('select', { name: 'employee' }, h('option', { value: '' }, t('noEmployee')));
  search.addEventListener('change', async () => {
    const { employees } = await gql(EMPLOYEES, { search: search.value.trim() || null });
    employee.replaceChildren(h('option', { value: '' }, t('noEmployee')),
      employees.nodes.map((e) => h('option', { value: e.id }, `${e.name} (${e.nip})`)));
  });
  const boxes = roleNames.map((name) => h('label', { class: 'check' }, h('input', { type: 'checkbox', value: name }), name));
  const form = h('form', { id: 'new-user', onsubmit: (event) => event.preventDefault() },
    h('div', { class: 'row' }, field(t('username'), username), field(t('password'), password),
      field(t('employee'), h('span', {}, search, employee))),
    h('div', { class: 'row' }, boxes),
    action(t('create'), async () => {
      const roles = boxes.map((label) => label.firstChild).filter((box) => box.checked).map((box) => box.value);
      const payload = await mutate(CREATE, { input: { username: username.value.trim(), password: password.value,
        employeeId: employee.value || null, roles } }, 'createUser');
      form.reset();
      form.closest('details').open = false;
      await created(payload.user.username);
    }, note, { id: 'create-user' }));
  return h('details', { class: 'card' }, h('summary', {}, `+ ${t('newUser')}`), form);
}

export async function render(main, { can }) {
  const note = messages();
  const search = h('input', { type: 'search', name: 'user-search', placeholder: t('search') });
  const results = h('div', {});
  let roleNames = [];
  const reload = async (text) => {
    const { roles, users } = await gql(READ, { search: search.value.trim() || null });
    roleNames = roles.map((r) => r.name);
    results.replaceChildren(table([t('username'), t('employee'), t('status'), t('roleList'), ''],
      users.nodes.map((user) => userRow(user, roleNames, can, note, reload)), { id: 'users' }));
    if (text) note.show(text);
  };
  const form = h('form', { class: 'toolbar' }, search, h('button', { type: 'submit' }, t('search')));
  form.addEventListener('submit', (event) => { event.preventDefault(); note.clear(); reload().catch(note.fail); });
  await reload();
  const created = async (username) => {
    search.value = username; // the new login is listed first
    await reload(t('saved'));
  };
  main.append(form, note.box, can('user:manage:tenant') ? createForm(roleNames, note, created) : '', results);
}
