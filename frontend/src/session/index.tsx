// Who is signed in, for every page: the token from `login` (session/token.ts)
// and the person it belongs to (`me`, with their organisations). Signing in
// or out in another tab, or a token the API no longer accepts, updates
// every page at once.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { SessionDocument, SignOutDocument, type SessionQuery } from '../../generated/graphql/graphql';
import { request } from '../graphql/client';
import { clearToken, currentToken, isSessionKey, SESSION_CHECK_EVENT, SESSION_EVENT, storeToken } from './token';

export type Me = NonNullable<SessionQuery['me']>;

export interface Session {
  /** `loading` until the token, if any, has been checked. */
  status: 'loading' | 'signedIn' | 'signedOut';
  me?: Me;
  /** True when the session ended without the person signing out. */
  expired: boolean;
  signIn(token: string, expiresAt?: string): Promise<void>;
  signOut(): Promise<void>;
  /** Reloads the person (after joining an organisation, say). */
  refresh(): Promise<void>;
  /** The person's role in an organisation, if they belong to it. */
  roleIn(organizationId: string): 'ADMIN' | 'MEMBER' | undefined;
}

const SessionContext = createContext<Session | undefined>(undefined);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<Session['status']>(currentToken() ? 'loading' : 'signedOut');
  const [me, setMe] = useState<Me>();
  const [expired, setExpired] = useState(false);

  const load = useCallback(async () => {
    const token = currentToken();
    if (!token) {
      setMe(undefined);
      setStatus('signedOut');
      return;
    }
    try {
      const data = await request(SessionDocument, {});
      // The token was current a moment ago: another sign-in may have replaced it.
      if (currentToken() !== token) return;
      if (data.me) {
        setMe(data.me);
        setStatus('signedIn');
      } else {
        // Expired or signed out elsewhere: the API treats it as anonymous.
        clearToken();
        setExpired(true);
        setMe(undefined);
        setStatus('signedOut');
      }
    } catch {
      // Trama does not answer: keep the token, show what is known.
      setStatus((s) => (s === 'loading' ? 'signedOut' : s));
    }
  }, []);

  useEffect(() => {
    void load();
    const onChange = () => void load();
    const onStorage = (event: StorageEvent) => isSessionKey(event.key) && void load();
    window.addEventListener(SESSION_EVENT, onChange);
    window.addEventListener(SESSION_CHECK_EVENT, onChange);
    window.addEventListener('storage', onStorage);
    return () => {
      window.removeEventListener(SESSION_EVENT, onChange);
      window.removeEventListener(SESSION_CHECK_EVENT, onChange);
      window.removeEventListener('storage', onStorage);
    };
  }, [load]);

  const signIn = useCallback(
    async (token: string, expiresAt?: string) => {
      setExpired(false);
      setStatus('loading');
      storeToken(token, expiresAt);
      await load();
    },
    [load],
  );

  const signOut = useCallback(async () => {
    try {
      if (currentToken()) await request(SignOutDocument, {});
    } catch {
      // Signed out here anyway: the token is forgotten below.
    } finally {
      clearToken();
      setExpired(false);
      setMe(undefined);
      setStatus('signedOut');
    }
  }, []);

  const value = useMemo<Session>(
    () => ({
      status,
      me,
      expired,
      signIn,
      signOut,
      refresh: load,
      roleIn: (organizationId) => me?.memberships.find((m) => m.organization.id === organizationId)?.role,
    }),
    [status, me, expired, signIn, signOut, load],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}
