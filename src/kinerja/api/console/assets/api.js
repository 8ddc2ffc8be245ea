// The public GraphQL API, used exactly as any frontend would: POST /graphql with JSON, the signed-in
// user's access token as a Bearer token, refreshed with the refresh token when it expires.
import { lang } from './i18n.js';

const STORE = 'kinerja.console.session';
const LOGIN = `mutation Login($input: LoginInput!) {
  login(input: $input) { accessToken refreshToken expiresAt userErrors { field code message } } }`;
const REFRESH = `mutation Refresh($input: RefreshTokenInput!) {
  refreshToken(input: $input) { accessToken refreshToken expiresAt userErrors { field code message } } }`;
const LOGOUT = 'mutation Logout($input: RefreshTokenInput!) { logout(input: $input) { ok } }';

let session = JSON.parse(sessionStorage.getItem(STORE) || 'null');
let refreshing = null;
const listeners = new Set();

// A request error (errors[0]): its code (UNAUTHENTICATED, FORBIDDEN, NETWORK ...) and localised message.
export class ApiError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

// A mutation's userErrors: each with field, code and a localised message.
export class UserErrors extends Error {
  constructor(errors) {
    super(errors.map((e) => e.message).join(' '));
    this.errors = errors;
  }
}

export function onSessionEnd(listener) {
  listeners.add(listener);
}

export function signedIn() {
  return session !== null;
}

function keep(payload, tenant) {
  session = { tenant, accessToken: payload.accessToken, refreshToken: payload.refreshToken };
  sessionStorage.setItem(STORE, JSON.stringify(session));
}

function forget() {
  session = null;
  sessionStorage.removeItem(STORE);
}

async function post(query, variables, token) {
  const headers = {
    'content-type': 'application/json',
    accept: 'application/graphql-response+json, application/json;q=0.9',
    'accept-language': lang(),
  };
  if (token) headers.authorization = `Bearer ${token}`;
  let body;
  try {
    const response = await fetch('/graphql', { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
    body = await response.json();
  } catch {
    throw new ApiError('', 'NETWORK');
  }
  if (body.errors && body.errors.length) {
    const [first] = body.errors;
    throw new ApiError(first.message, first.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
  }
  return body.data;
}

export async function signIn(tenant, username, password) {
  const { login } = await post(LOGIN, { input: { tenant, username, password } }, null);
  if (login.userErrors.length) throw new UserErrors(login.userErrors);
  keep(login, tenant);
}

export async function signOut() {
  const ending = session;
  forget();
  if (ending) await post(LOGOUT, { input: { refreshToken: ending.refreshToken } }, null).catch(() => null);
}

async function refresh() {
  if (!refreshing) {
    const { tenant, refreshToken } = session;
    refreshing = post(REFRESH, { input: { refreshToken } }, null)
      .then(({ refreshToken: payload }) => {
        if (payload.userErrors.length || !payload.accessToken) throw new ApiError('', 'UNAUTHENTICATED');
        keep(payload, tenant);
      })
      .finally(() => { refreshing = null; });
  }
  return refreshing;
}

function ended(error) {
  forget();
  listeners.forEach((listener) => listener());
  return error;
}

// One operation as the signed-in user; an expired access token is refreshed once and the operation retried.
export async function gql(query, variables = {}) {
  if (!session) throw ended(new ApiError('', 'UNAUTHENTICATED'));
  try {
    return await post(query, variables, session.accessToken);
  } catch (error) {
    if (error.code !== 'UNAUTHENTICATED') throw error;
    try {
      await refresh();
    } catch {
      throw ended(error);
    }
    try {
      return await post(query, variables, session.accessToken);
    } catch (again) {
      throw again.code === 'UNAUTHENTICATED' ? ended(again) : again;
    }
  }
}

// A mutation whose payload carries userErrors: returns the payload, or throws UserErrors.
export async function mutate(query, variables, field) {
  const payload = (await gql(query, variables))[field];
  if (payload.userErrors && payload.userErrors.length) throw new UserErrors(payload.userErrors);
  return payload;
}
