// The shell: sign in, the viewer's permissions, the menu of screens they allow, and hash routing
// (#/roles, #/users ...). Each screen is one module in screens/ exporting { id, allowed, render }.
import { gql, onSessionEnd, signedIn, signOut } from './api.js';
import { languages, lang, setLang, t } from './i18n.js';
import { h, messages } from './ui.js';
import * as signin from './screens/signin.js';
import * as roles from './screens/roles.js';
import * as users from './screens/users.js';
import * as org from './screens/org.js';
import * as positions from './screens/positions.js';
import * as employees from './screens/employees.js';
import * as periods from './screens/periods.js';
import * as settings from './screens/settings.js';
import * as audit from './screens/audit.js';
import * as account from './screens/account.js';

// Administrative screens first; `admin = false` marks one every user has (their own account).
const SCREENS = [roles, users, org, positions, employees, periods, settings, audit, account];
const VIEWER = '{ viewer { username roles permissions tenant { slug name } employee { name } } }';
const app = document.getElementById('app');
let viewer = null;
let sessionEnded = false;

function can(permission) {
  return viewer !== null && viewer.permissions.includes(permission);
}

function allowedScreens() {
  return SCREENS.filter((screen) => screen.allowed(can));
}

function languageSwitch() {
  return h('div', { class: 'language' }, languages.map((code) => h('button', {
    type: 'button', class: code === lang() ? 'current' : '', 'data-lang': code,
    onclick: () => { setLang(code); show(); },
  }, code.toUpperCase())));
}

function home(main) {
  const screens = allowedScreens().filter((screen) => screen.admin !== false);
  main.append(h('h1', {}, t('home')), h('p', {}, t('welcome', { tenant: viewer.tenant.name })));
  if (!screens.length) {
    main.append(h('p', { class: 'notice', id: 'no-admin' }, t('noAdmin')));
    return;
  }
  main.append(h('p', {}, t('available')),
    h('ul', { class: 'tiles' }, screens.map((s) => h('li', {}, h('a', { href: `#/${s.id}` }, t(s.id))))));
}

async function show() {
  document.documentElement.lang = lang();
  document.title = `Kinerja · ${t('title')}`;
  if (!signedIn()) {
    viewer = null;
    app.replaceChildren(h('header', { class: 'top' }, h('strong', {}, `Kinerja · ${t('title')}`), languageSwitch()));
    const main = h('main', { class: 'signin' });
    app.append(main);
    signin.render(main, { done: show, notice: sessionEnded ? t('sessionEnded') : null });
    sessionEnded = false;
    return;
  }
  if (viewer === null) {
    const note = messages();
    app.replaceChildren(note.box);
    try {
      ({ viewer } = await gql(VIEWER));
    } catch (error) {
      if (signedIn()) note.fail(error);
      return;
    }
  }
  const route = location.hash.replace(/^#\/?/, '');
  const screen = allowedScreens().find((s) => s.id === route);
  const nav = h('nav', { class: 'menu' },
    h('a', { href: '#/', class: screen ? '' : 'current', 'data-screen': 'home' }, t('home')),
    allowedScreens().map((s) => h('a', { href: `#/${s.id}`, 'data-screen': s.id, class: s === screen ? 'current' : '' },
      t(s.id))));
  const who = viewer.employee ? `${viewer.username} (${viewer.employee.name})` : viewer.username;
  const top = h('header', { class: 'top' },
    h('strong', {}, `Kinerja · ${t('title')} · ${viewer.tenant.name}`),
    h('span', { class: 'who' }, `${t('signedInAs')} ${who}`),
    languageSwitch(),
    h('button', { type: 'button', id: 'sign-out', onclick: async () => { await signOut(); show(); } }, t('signOut')));
  const main = h('main', { id: 'screen', 'data-screen': screen ? screen.id : 'home' });
  app.replaceChildren(top, h('div', { class: 'body' }, nav, main));
  if (!screen) {
    home(main);
    return;
  }
  main.append(h('h1', {}, t(screen.id)));
  try {
    await screen.render(main, { can, viewer });
  } catch (error) {
    if (!signedIn()) return; // the session ended: the sign-in form is showing
    const note = messages();
    main.append(note.box);
    note.fail(error);
  }
}

onSessionEnd(() => {
  viewer = null;
  sessionEnded = true;
  show();
});
window.addEventListener('hashchange', show);
show();
