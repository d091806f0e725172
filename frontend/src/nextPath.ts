// Where to go after signing in: a page of this site only (a `next` that
// points elsewhere would make the sign-in page an open redirect).
import { pathTo } from './routes';

/** `next` when it is a path of this site, else the account page. */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return pathTo('account');
  return next;
}

/** The sign-in page, coming back to `next` afterwards. */
export function signInPath(next: string): string {
  return `${pathTo('signIn')}?next=${encodeURIComponent(next)}`;
}
