// The session token from `login`, kept in this browser's localStorage with
// its expiry (the privacy notice says so): every request sends it, and an
// expired one is dropped rather than sent.

const TOKEN_KEY = 'trama.token';
const EXPIRES_KEY = 'trama.tokenExpiresAt';
/** Fired on window when the token is stored or dropped in this tab. */
export const SESSION_EVENT = 'trama:session';
/** Fired on window when the API refused the token: the session checks it. */
export const SESSION_CHECK_EVENT = 'trama:session-check';

export interface StoredToken {
  token: string;
  expiresAt?: string;
}

/** Whether a stored token is still usable at `now` (no expiry known: yes). */
export function isCurrent(stored: StoredToken | null, now: Date = new Date()): stored is StoredToken {
  if (!stored?.token) return false;
  if (!stored.expiresAt) return true;
  const expires = Date.parse(stored.expiresAt);
  return Number.isNaN(expires) || expires > now.getTime();
}

function storage(): Storage | undefined {
  try {
    return typeof window === 'undefined' ? undefined : window.localStorage;
  } catch {
    return undefined;
  }
}

/** The token to send, or undefined when there is none or it has expired. */
export function currentToken(): string | undefined {
  const store = storage();
  const token = store?.getItem(TOKEN_KEY);
  const stored = token ? { token, expiresAt: store?.getItem(EXPIRES_KEY) ?? undefined } : null;
  if (isCurrent(stored)) return stored.token;
  if (stored) clearToken();
  return undefined;
}

export function storeToken(token: string, expiresAt?: string): void {
  const store = storage();
  store?.setItem(TOKEN_KEY, token);
  if (expiresAt) store?.setItem(EXPIRES_KEY, expiresAt);
  else store?.removeItem(EXPIRES_KEY);
  window.dispatchEvent(new Event(SESSION_EVENT));
}

export function clearToken(): void {
  const store = storage();
  if (!store?.getItem(TOKEN_KEY)) return;
  store.removeItem(TOKEN_KEY);
  store.removeItem(EXPIRES_KEY);
  window.dispatchEvent(new Event(SESSION_EVENT));
}

/** Whether a storage event (from another tab) concerns the session. */
export function isSessionKey(key: string | null): boolean {
  return key === null || key === TOKEN_KEY || key === EXPIRES_KEY;
}
