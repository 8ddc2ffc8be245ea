// Employees: search by name or NIP, optionally within an org unit.
import { gql } from '../api.js';
import { t } from '../i18n.js';
import { field, h, messages } from '../ui.js';

export const id = 'employees';
export const allowed = (can) => can('employee:manage:tenant');

const UNITS = '{ orgUnits { id code name } }';
const READ = `query Employees($filter: EmployeeFilter, $after: String) {
  employees(first: 50, after: $after, filter: $filter) {
    nodes { id nip name employmentType active position { name } orgUnit { id code name } }
    pageInfo { hasNextPage endCursor } } }`;

function employeeRow(employee) {
  return h('tr', { 'data-nip': employee.nip },
    h('td', {}, employee.nip), h('td', {}, employee.name), h('td', {}, employee.employmentType),
    h('td', {}, employee.position ? employee.position.name : t('none')),
    h('td', {}, employee.orgUnit.name),
    h('td', {}, employee.active ? t('active') : h('span', { class: 'muted' }, t('inactive'))));
}

export async function render(main) {
  const note = messages();
  const { orgUnits } = await gql(UNITS);
  const units = [...orgUnits].sort((a, b) => a.code.localeCompare(b.code));
  const search = h('input', { type: 'search', name: 'employee-search', placeholder: t('search') });
  const unit = h('select', { name: 'org-unit' }, h('option', { value: '' }, t('allUnits')),
    units.map((u) => h('option', { value: u.id }, `${u.code} · ${u.name}`)));
  const rows = h('tbody', {});
  const more = h('button', { type: 'button', hidden: true }, t('more'));
  let cursor = null;
  const load = async (fresh) => {
    if (fresh) { rows.replaceChildren(); cursor = null; }
    const filter = { search: search.value.trim() || null, orgUnitId: unit.value || null };
    const { employees } = await gql(READ, { filter, after: cursor });
    rows.append(...employees.nodes.map(employeeRow));
    cursor = employees.pageInfo.endCursor;
    more.hidden = !employees.pageInfo.hasNextPage;
  };
  more.addEventListener('click', () => load(false).catch(note.fail));
  const form = h('form', { class: 'toolbar' }, field(t('search'), search), field(t('orgUnit'), unit),
    h('button', { type: 'submit' }, t('search')));
  form.addEventListener('submit', (event) => { event.preventDefault(); note.clear(); load(true).catch(note.fail); });
  await load(true);
  const list = h('table', { id: 'employees' }, h('thead', {}, h('tr', {},
    [t('nip'), t('name'), t('type'), t('position'), t('orgUnit'), t('status')].map((label) => h('th', {}, label)))), rows);
  main.append(form, note.box, list, more);
}
