// Where to go after signing in: back to the page that asked for it, when
// that is one of the app's own pages (never another site: `?next=//evil`).
import { isAppPath, pathTo } from '../routes';

/** The page to open after signing in, from the sign-in page's `next` parameter. */
export function afterSignIn(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.includes('\\')) return pathTo('account');
  const path = next.split(/[?#]/)[0];
  if (path === pathTo('signIn') || !isAppPath(path)) return pathTo('account');
  return next;
}

/** The sign-in page's URL that comes back to `here` afterwards. */
export function signInFor(here: string): string {
  return `${pathTo('signIn')}?next=${encodeURIComponent(here)}`;
}
