// My account, for every signed-in user: the sessions of this login (mySessions; revokeSession ends one
// at once) and changing the password (changePassword; the other sessions end).
import { gql, mutate } from '../api.js';
import { moment as when, t } from '../i18n.js';
import { action, field, h, messages, table } from '../ui.js';

export const id = 'account';
export const admin = false; // not an administrative task: every user has it
export const allowed = () => true;

const SESSIONS = '{ mySessions { id createdAt lastUsedAt userAgent ip current } }';
const REVOKE = `mutation RevokeSession($input: RevokeSessionInput!) {
  revokeSession(input: $input) { revokedId userErrors { field code message } } }`;
const CHANGE = `mutation ChangePassword($input: ChangePasswordInput!) {
  changePassword(input: $input) { ok userErrors { field code message } } }`;

export async function render(main) {
  const note = messages();
  const list = h('div', {});
  const reload = async (text) => {
    const { mySessions } = await gql(SESSIONS);
    list.replaceChildren(table([t('signedInAt'), t('lastUsed'), t('device'), 'IP', ''], mySessions.map((s) => h('tr',
      { 'data-session': s.id, class: s.current ? 'current' : '' },
      h('td', {}, when(s.createdAt)), h('td', {}, when(s.lastUsedAt)), h('td', {}, s.userAgent || t('none')),
      h('td', {}, s.ip), h('td', {}, s.current ? h('strong', {}, t('thisSession')) : action(t('endSession'), async () => {
        await mutate(REVOKE, { input: { sessionId: s.id } }, 'revokeSession');
        await reload(t('sessionRevoked'));
      }, note, { 'data-revoke-session': s.id, class: 'secondary' })))), { id: 'sessions' }));
    if (text) note.show(text);
  };
  const current = h('input', { type: 'password', name: 'current-password', autocomplete: 'current-password' });
  const next = h('input', { type: 'password', name: 'new-password', autocomplete: 'new-password' });
  const form = h('form', { class: 'card', id: 'change-password', onsubmit: (event) => event.preventDefault() },
    h('h2', {}, t('changePassword')),
    h('div', { class: 'row' }, field(t('currentPassword'), current), field(t('newPassword'), next),
      action(t('save'), async () => {
        await mutate(CHANGE, { input: { currentPassword: current.value, newPassword: next.value } }, 'changePassword');
        form.reset();
        await reload(t('passwordChanged'));
      }, note, { id: 'save-password' })));
  await reload();
  main.append(note.box, h('h2', {}, t('sessions')), list, form);
}
