// Employees: search by name or NIP (within an org unit), add one (createEmployee), transfer one to
// another unit from a day on (transferEmployee), record that one left (deactivateEmployee), and import a CSV: a dry run reports every row (startImport), then all rows are
// written or none (commitImport).
import { gql } from '../api.js';
import { t } from '../i18n.js';
import { field, h, messages } from '../ui.js';
import { transferRow } from './transfer.js';
import { importCard } from './import.js';
import { loadUnits, unitLabel } from '../units.js';
import { leaveRow, newEmployeeCard } from './staffing.js';

export const id = 'employees';
export const allowed = (can) => can('employee:manage:tenant');

const READ = `query Employees($filter: EmployeeFilter, $after: String) {
  employees(first: 50, after: $after, filter: $filter) {
    nodes { id nip name employmentType active position { name } orgUnit { id code name } }
    pageInfo { hasNextPage endCursor } } }`;

function employeeRow(employee, units, note) {
  const row = h('tr', { 'data-nip': employee.nip },
    h('td', {}, employee.nip), h('td', {}, employee.name), h('td', {}, employee.employmentType),
    h('td', {}, employee.position ? employee.position.name : t('none')),
    h('td', { class: 'unit' }, employee.orgUnit.name),
    h('td', { class: 'status' }, employee.active ? t('active') : h('span', { class: 'muted' }, t('inactive'))),
    h('td', {}, employee.active ? h('div', { class: 'actions' },
      h('button', { type: 'button', 'data-transfer': employee.nip, onclick: () => toggle(transferRow(employee, units, note,
        (moved) => { row.querySelector('td.unit').textContent = moved.orgUnit.name; })) }, t('transfer')),
      h('button', { type: 'button', class: 'secondary', 'data-leave': employee.nip, onclick: () => toggle(leaveRow(employee,
        note, () => { row.querySelector('td.status').textContent = t('inactive'); row.lastChild.replaceChildren(); })) },
      t('leave'))) : ''));
  // One form at a time under the row: opening it again (or the other one) replaces it.
  const toggle = (form) => {
    const open = row.nextSibling && row.nextSibling.classList.contains('inline') ? row.nextSibling : null;
    const same = open && open.className === form.className && Object.keys(open.dataset)[0] === Object.keys(form.dataset)[0];
    if (open) open.remove();
    if (!same) row.after(form);
  };
  return row;
}

export async function render(main, { can }) {
  const note = messages();
  const { flat: units } = await loadUnits();
  const search = h('input', { type: 'search', name: 'employee-search', placeholder: t('search') });
  const unit = h('select', { name: 'org-unit' }, h('option', { value: '' }, t('allUnits')),
    units.map((u) => h('option', { value: u.id }, unitLabel(u))));
  const rows = h('tbody', {});
  const more = h('button', { type: 'button', hidden: true }, t('more'));
  let cursor = null;
  const load = async (fresh) => {
    if (fresh) { rows.replaceChildren(); cursor = null; }
    const filter = { search: search.value.trim() || null, orgUnitId: unit.value || null };
    const { employees } = await gql(READ, { filter, after: cursor });
    rows.append(...employees.nodes.map((employee) => employeeRow(employee, units, note)));
    cursor = employees.pageInfo.endCursor;
    more.hidden = !employees.pageInfo.hasNextPage;
  };
  more.addEventListener('click', () => load(false).catch(note.fail));
  const form = h('form', { class: 'toolbar' }, field(t('search'), search), field(t('orgUnit'), unit),
    h('button', { type: 'submit' }, t('search')));
  form.addEventListener('submit', (event) => { event.preventDefault(); note.clear(); load(true).catch(note.fail); });
  await load(true);
  const list = h('table', { id: 'employees' }, h('thead', {}, h('tr', {},
    [t('nip'), t('name'), t('type'), t('position'), t('orgUnit'), t('status'), ''].map((label) => h('th', {}, label)))),
  rows);
  const created = async (nip) => {
    search.value = nip;
    unit.value = '';
    await load(true);
    note.show(t('saved'));
  };
  main.append(importCard(can), newEmployeeCard(units, created), form, note.box, list, more);
}
