// Tenant settings (tenantSettings / updateTenantSettings). Keys the tenant file declares belong to the
// operator (`kinerja tenants apply`): they are shown but cannot be changed here.
import { gql, mutate } from '../api.js';
import { t } from '../i18n.js';
import { action, h, messages, table } from '../ui.js';

export const id = 'settings';
export const allowed = (can) => can('settings:read:tenant');

// [field, kind]: enum values, 'int', 'float?' (empty is null), 'bool', 'text', 'lines' (a list, one a line).
const FIELDS = [
  ['periodScheme', ['MONTHLY', 'QUARTERLY', 'SEMESTER']], ['jpTargetPns', 'int'], ['jpTargetPppk', 'int'],
  ['ikmWeighting', ['EXACT', 'PRINTED']], ['timezone', 'text'], ['ticketSlaDays', 'int'],
  ['rateWindowSeconds', 'int'], ['surveyPerIp', 'int'], ['feedbackPerIp', 'int'], ['publicPerTenant', 'int'],
  ['kioskPerMinute', 'int'], ['kioskBurstIdentical', 'int'], ['kioskBurstMinutes', 'int'],
  ['followUpNrrThreshold', 'float?'], ['publicStaffNames', 'bool'], ['surveyPageUrl', 'text'],
  ['allowedOrigins', 'lines'], ['persistedDocumentsOnly', 'bool'], ['evaluationRequiresApprovedPlan', 'bool'],
  ['objectionDays', 'int'], ['requireIkuLink', 'bool'],
];
const SELECTION = `${FIELDS.map(([name]) => name).join(' ')} ownedByTenantFile`;
const READ = `{ tenantSettings { ${SELECTION} } }`;
const UPDATE = `mutation UpdateTenantSettings($input: UpdateTenantSettingsInput!) {
  updateTenantSettings(input: $input) { settings { ${SELECTION} } userErrors { field code message } } }`;

function input(name, kind, value, disabled) {
  const attrs = { name, disabled, 'data-setting': name };
  if (Array.isArray(kind)) return h('select', attrs, kind.map((v) => h('option', { value: v, selected: v === value }, v)));
  if (kind === 'bool') return h('input', { ...attrs, type: 'checkbox', checked: value });
  if (kind === 'lines') return h('textarea', { ...attrs, rows: 3 }, (value || []).join('\n'));
  if (kind === 'int' || kind === 'float?') {
    return h('input', { ...attrs, type: 'number', step: kind === 'int' ? '1' : 'any', value: value === null ? '' : String(value) });
  }
  return h('input', { ...attrs, value: value ?? '' });
}

function read(element, kind) {
  if (kind === 'bool') return element.checked;
  if (kind === 'lines') return element.value.split('\n').map((line) => line.trim()).filter(Boolean);
  if (kind === 'int') return element.value === '' ? null : Number(element.value);
  if (kind === 'float?') return element.value === '' ? null : Number(element.value);
  return element.value;
}

function form(settings, editable, note, saved) {
  const owned = new Set(settings.ownedByTenantFile);
  const inputs = new Map();
  const rows = FIELDS.map(([name, kind]) => {
    const element = input(name, kind, settings[name], !editable || owned.has(name));
    inputs.set(name, [element, kind]);
    return h('tr', { 'data-row': name }, h('th', { scope: 'row' }, t(`s_${name}`), h('small', {}, name)),
      h('td', {}, element), h('td', {}, owned.has(name) ? h('small', { class: 'muted' }, t('ownedByFile')) : ''));
  });
  const save = action(t('save'), async () => {
    const changes = {};
    for (const [name, [element, kind]] of inputs) {
      if (owned.has(name)) continue;
      const value = read(element, kind);
      if (JSON.stringify(value) !== JSON.stringify(settings[name])) changes[name] = value;
    }
    if (!Object.keys(changes).length) return;
    const payload = await mutate(UPDATE, { input: changes }, 'updateTenantSettings');
    saved(payload.settings);
  }, note, { id: 'save-settings' });
  return h('div', {}, h('p', { class: 'notice' }, t('settingsNote')),
    table([t('field'), '', ''], rows, { id: 'settings', class: 'settings' }), editable ? save : '');
}

export async function render(main, { can }) {
  const note = messages();
  const { tenantSettings } = await gql(READ);
  const area = h('div', {});
  const show = (settings, text) => {
    area.replaceChildren(form(settings, can('settings:manage:tenant'), note, (next) => show(next, t('saved'))));
    if (text) note.show(text);
  };
  show(tenantSettings);
  main.append(note.box, area);
}
