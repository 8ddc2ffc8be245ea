// Periods of a year: open or close each one (setPeriodClosed).
import { gql, mutate } from '../api.js';
import { t } from '../i18n.js';
import { action, field, h, messages, table } from '../ui.js';

export const id = 'periods';
export const allowed = (can) => can('org:manage:tenant');

const READ = 'query Periods($year: Int) { periods(year: $year) { id year kind sequence name startsOn endsOn closed } }';
const SET_CLOSED = `mutation SetPeriodClosed($input: SetPeriodClosedInput!) {
  setPeriodClosed(input: $input) { period { id closed } userErrors { field code message } } }`;

export async function render(main) {
  const note = messages();
  const thisYear = new Date().getFullYear();
  const year = h('select', { name: 'year' },
    [thisYear + 1, thisYear, thisYear - 1, thisYear - 2].map((y) => h('option', { value: String(y), selected: y === thisYear }, y)));
  const results = h('div', {});
  const reload = async (text) => {
    const { periods } = await gql(READ, { year: Number(year.value) });
    results.replaceChildren(table([t('period'), t('kind'), t('starts'), t('ends'), t('status'), ''],
      periods.map((p) => h('tr', { 'data-period': p.name },
        h('td', {}, p.name), h('td', {}, p.kind.toLowerCase()), h('td', {}, p.startsOn), h('td', {}, p.endsOn),
        h('td', {}, p.closed ? t('closed') : t('open')),
        h('td', {}, action(p.closed ? t('reopen') : t('close'), async () => {
          await mutate(SET_CLOSED, { input: { id: p.id, closed: !p.closed } }, 'setPeriodClosed');
          await reload(t('saved'));
        }, note)))), { id: 'periods' }));
    if (text) note.show(text);
  };
  year.addEventListener('change', () => { note.clear(); reload().catch(note.fail); });
  await reload();
  main.append(h('div', { class: 'toolbar' }, field(t('year'), year)), note.box, results);
}
