// The app's URLs, shared with the server (routes.json): a deep link from an
// e-mail or the open data is a page, anything else is the 404 page.
import data from './routes.json';

export type RouteName = keyof typeof data.routes;
export const routes: Record<RouteName, string> = data.routes;

/** The URL of a route, its `:params` filled in (encoded). */
export function pathTo(name: RouteName, params: Record<string, string> = {}): string {
  return routes[name].replace(/:([a-zA-Z]+)/g, (_, key: string) => {
    const value = params[key];
    if (value === undefined) throw new Error(`missing parameter ${key} for ${name}`);
    return encodeURIComponent(value);
  });
}

/** Whether a path is one of the app's pages (the same rule as the server's). */
export function isAppPath(path: string): boolean {
  const segments = path.split('/').filter(Boolean);
  return Object.values(routes).some((pattern) => {
    const parts = pattern.split('/').filter(Boolean);
    return (
      parts.length === segments.length &&
      parts.every((part, i) => (part.startsWith(':') ? segments[i] !== '' : part === segments[i]))
    );
  });
}
