// Adding an employee (createEmployee) and an employee leaving (deactivateEmployee: the reason and the
// day; the record, history, plans and evaluations stay).
import { mutate } from '../api.js';
import { t } from '../i18n.js';
import { action, field, h, messages } from '../ui.js';
import { unitLabel } from '../units.js';

const EMPLOYEE = 'employee { id nip active } userErrors { field code message }';
const CREATE = `mutation CreateEmployee($input: CreateEmployeeInput!) { createEmployee(input: $input) { ${EMPLOYEE} } }`;
const LEAVE = `mutation DeactivateEmployee($input: DeactivateEmployeeInput!) {
  deactivateEmployee(input: $input) { ${EMPLOYEE} } }`;
const REASONS = ['RETIRED', 'RESIGNED', 'DECEASED', 'DISMISSED', 'TRANSFERRED_OUT', 'CONTRACT_ENDED'];
const today = () => new Date().toISOString().slice(0, 10);

export function newEmployeeCard(units, done) {
  const note = messages();
  const nip = h('input', { name: 'new-nip', inputmode: 'numeric', autocomplete: 'off' });
  const name = h('input', { name: 'new-name', autocomplete: 'off' });
  const unit = h('select', { name: 'new-unit' }, units.map((u) => h('option', { value: u.id }, unitLabel(u))));
  const type = h('select', { name: 'new-type' }, ['PNS', 'PPPK'].map((v) => h('option', { value: v }, v)));
  const startsOn = h('input', { type: 'date', name: 'new-starts-on', value: today() });
  const form = h('form', { onsubmit: (event) => event.preventDefault() },
    h('div', { class: 'row' }, field(t('nip'), nip), field(t('name'), name), field(t('orgUnit'), unit),
      field(t('type'), type), field(t('effectiveOn'), startsOn),
      action(t('create'), async () => {
        const payload = await mutate(CREATE, { input: { nip: nip.value.trim(), name: name.value.trim(),
          orgUnitId: unit.value, employmentType: type.value, startsOn: startsOn.value || null } }, 'createEmployee');
        form.reset();
        await done(payload.employee.nip);
      }, note, { id: 'create-employee' })), note.box);
  return h('details', { class: 'card', id: 'new-employee' }, h('summary', {}, `+ ${t('newEmployee')}`), form);
}

export function leaveRow(employee, listNote, left) {
  const note = messages();
  const reason = h('select', { name: 'leave-reason' }, REASONS.map((r) => h('option', { value: r }, t(`exit_${r}`))));
  const effectiveOn = h('input', { type: 'date', name: 'leave-on', value: today() });
  const row = h('tr', { class: 'inline', 'data-leave-form': employee.nip }, h('td', { colSpan: 7 },
    h('div', { class: 'row' }, field(t('reason'), reason), field(t('effectiveOn'), effectiveOn),
      action(t('leave'), async () => {
        await mutate(LEAVE, { input: { employeeId: employee.id, reason: reason.value, effectiveOn: effectiveOn.value } },
          'deactivateEmployee');
        row.remove();
        listNote.show(t('employeeLeft'));
        left();
      }, note, { 'data-save-leave': employee.nip })),
    note.box));
  return row;
}
