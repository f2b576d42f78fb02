// The signed-in user of this tab: GET /api/v1/me on load, sign in and out, realm and role checks.
import { useEffect, useState } from '/shared/preact.js';
import { api, onUnauthorized, setCsrfToken } from '/shared/api.js';
import { isPreview } from '/shared/preview.js';
import { disconnect as disconnectRealtime } from '/shared/realtime.js';

/*
 * status: 'loading' | 'anon' | 'user' | 'error'
 * notice: why the user is anonymous, for the login page: 'signed_out' | 'expired' | null
 */
let state = { status: 'loading', user: null, error: null, notice: null };
const listeners = new Set();

function update(patch) {
  state = { ...state, ...patch };
  for (const fn of listeners) fn(state);
}

export function getSession() {
  return state;
}

/* The session state; re-renders the caller whenever it changes. */
export function useSession() {
  const [current, setCurrent] = useState(state);
  useEffect(() => {
    listeners.add(setCurrent);
    setCurrent(state);
    return () => listeners.delete(setCurrent);
  }, []);
  return current;
}

/* Asks the server who this browser is signed in as. */
export async function loadSession() {
  update({ status: 'loading', error: null });
  try {
    const answer = await api.get('/me');
    setCsrfToken(answer.csrf_token);
    update({ status: 'user', user: answer.user });
  } catch (err) {
    if (err.status === 401) {
      setCsrfToken(null);
      update({ status: 'anon', user: null });
    } else {
      update({ status: 'error', error: err });
    }
  }
}

/* Takes a {user, csrf_token} answer (login, accepted invitation) as the new session. */
export function adoptSession(answer) {
  setCsrfToken(answer.csrf_token);
  update({ status: 'user', user: answer.user, error: null, notice: null });
  return answer.user;
}

/* POST /auth/login; realm is 'employee' or 'cabinet'. Rejects with the ApiError. */
export async function signIn(email, password, realm) {
  return adoptSession(await api.post('/auth/login', { email, password, realm }));
}

/* Ends the session on the server (an already ended one is fine) and forgets it here. */
export async function signOut() {
  disconnectRealtime(); // first: no live refresh may ask anything of a session being ended
  try {
    await api.post('/auth/logout', {});
  } catch (err) {
    if (err.status !== 401) throw err;
  }
  setCsrfToken(null);
  update({ status: 'anon', user: null, notice: 'signed_out' });
}

/* Replaces the user object after the server returned a fresh copy. */
export function setSessionUser(user) {
  if (state.status === 'user') update({ user });
}

export function clearNotice() {
  if (state.notice) update({ notice: null });
}

// A 401 on any later request means the session ended elsewhere (timeout, revoked, password changed).
onUnauthorized((err) => {
  if (state.status !== 'user' || err.code !== 'unauthorized') return;
  setCsrfToken(null);
  update({ status: 'anon', user: null, notice: 'expired' });
});

/* Whether a user of this realm belongs in the app: 'employee' app or 'cabinet' (where an
 * employee belongs too while previewing a customer's cabinet). */
export function fitsApp(appRealm, user) {
  if (!user) return false;
  if (appRealm === 'employee') return user.realm === 'employee';
  return user.realm === 'customer' || user.realm === 'partner' || (user.realm === 'employee' && isPreview());
}

/* True when roles is empty or holds the user's role. */
export function hasRole(user, roles) {
  return !roles || !roles.length || (!!user && roles.includes(user.role));
}

export const isAdmin = (user) => user?.realm === 'employee' && user.role === 'admin';
