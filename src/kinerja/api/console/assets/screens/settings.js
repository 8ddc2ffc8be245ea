// Tenant settings: the tenant the console is signed in to.
import { t } from '../i18n.js';
import { h, table } from '../ui.js';

export const id = 'settings';
export const allowed = () => false;

export async function render(main, { viewer }) {
  main.append(table([t('name'), t('code')], [h('tr', {}, h('td', {}, viewer.tenant.name), h('td', {}, viewer.tenant.slug))]));
}
