// Sign in: tenant slug, username and password, through the public `login` mutation.
import { signIn } from '../api.js';
import { t } from '../i18n.js';
import { field, h, messages } from '../ui.js';

export function render(main, { done, notice }) {
  const note = messages();
  if (notice) note.show(notice, 'error');
  const tenant = h('input', { name: 'tenant', required: true, autocomplete: 'organization',
    value: localStorage.getItem('kinerja.console.tenant') || '' });
  const username = h('input', { name: 'username', required: true, autocomplete: 'username' });
  const password = h('input', { name: 'password', type: 'password', required: true, autocomplete: 'current-password' });
  const form = h('form', { class: 'card', id: 'sign-in' },
    h('h1', {}, t('signIn')),
    field(t('tenant'), tenant), field(t('username'), username), field(t('password'), password),
    h('button', { type: 'submit' }, t('signIn')), note.box);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    note.clear();
    try {
      await signIn(tenant.value.trim(), username.value.trim(), password.value);
      localStorage.setItem('kinerja.console.tenant', tenant.value.trim());
      password.value = '';
      await done();
    } catch (error) {
      note.fail(error);
    }
  });
  main.append(form);
}
