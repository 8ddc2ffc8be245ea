// The transfer (mutasi) form under an employee's row: the new unit, the day it takes effect, a reason.
import { mutate } from '../api.js';
import { t } from '../i18n.js';
import { action, field, h, messages } from '../ui.js';
import { unitLabel } from '../units.js';

const TRANSFER = `mutation TransferEmployee($input: TransferEmployeeInput!) {
  transferEmployee(input: $input) { employee { id orgUnit { id name } } userErrors { field code message } } }`;

export function transferRow(employee, units, listNote, moved) {
  const note = messages();
  const unit = h('select', { name: 'transfer-unit' },
    units.filter((u) => u.id !== employee.orgUnit.id).map((u) => h('option', { value: u.id }, unitLabel(u))));
  const effectiveOn = h('input', { type: 'date', name: 'effective-on', value: new Date().toISOString().slice(0, 10) });
  const reason = h('input', { name: 'transfer-reason' });
  const row = h('tr', { class: 'inline', 'data-transfer-form': employee.nip }, h('td', { colSpan: 7 },
    h('div', { class: 'row' }, field(t('transferTo'), unit), field(t('effectiveOn'), effectiveOn),
      field(t('reason'), reason),
      action(t('save'), async () => {
        const payload = await mutate(TRANSFER, { input: { employeeId: employee.id, orgUnitId: unit.value,
          effectiveOn: effectiveOn.value, reason: reason.value.trim() || null } }, 'transferEmployee');
        moved(payload.employee);
        row.remove();
        listNote.show(t('transferred'));
      }, note, { 'data-save-transfer': employee.nip })),
    note.box));
  return row;
}
