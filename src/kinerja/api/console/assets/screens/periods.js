// Periods of a year: the year's scheme (savePeriodScheme: monthly, quarterly or semester periods beside
// the annual one), and open or close each period (setPeriodClosed).
import { gql, mutate } from '../api.js';
import { t } from '../i18n.js';
import { action, field, h, messages, table } from '../ui.js';

export const id = 'periods';
export const allowed = (can) => can('org:manage:tenant');

const READ = 'query Periods($year: Int) { periods(year: $year) { id year kind sequence name startsOn endsOn closed } }';
const SCHEME = `mutation SavePeriodScheme($input: SavePeriodSchemeInput!) {
  savePeriodScheme(input: $input) { periods { id } userErrors { field code message } } }`;
const SCHEMES = ['MONTHLY', 'QUARTERLY', 'SEMESTER'];
const SET_CLOSED = `mutation SetPeriodClosed($input: SetPeriodClosedInput!) {
  setPeriodClosed(input: $input) { period { id closed } userErrors { field code message } } }`;

export async function render(main, { can }) {
  const note = messages();
  const thisYear = new Date().getFullYear();
  const year = h('select', { name: 'year' },
    [thisYear + 1, thisYear, thisYear - 1, thisYear - 2].map((y) => h('option', { value: String(y), selected: y === thisYear }, y)));
  const results = h('div', {});
  const reload = async (text) => {
    const { periods } = await gql(READ, { year: Number(year.value) });
    showScheme(periods);
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
  const scheme = h('select', { name: 'scheme' }, SCHEMES.map((s) => h('option', { value: s }, s.toLowerCase())));
  const showScheme = (periods) => {
    const periodic = periods.find((p) => p.kind !== 'ANNUAL');
    if (periodic) scheme.value = periodic.kind;
  };
  year.addEventListener('change', () => { note.clear(); reload().catch(note.fail); });
  await reload();
  const tools = [field(t('year'), year)];
  if (can('org:manage:tenant')) {
    tools.push(field(t('scheme'), scheme), action(t('saveScheme'), async () => {
      await mutate(SCHEME, { input: { year: Number(year.value), scheme: scheme.value } }, 'savePeriodScheme');
      await reload(t('schemeSaved', { year: year.value }));
    }, note, { id: 'save-scheme' }));
  }
  main.append(h('div', { class: 'toolbar' }, tools), note.box, results);
}
