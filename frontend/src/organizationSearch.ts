// Organisations on Trama whose name is like the text being typed (search
// restricted to organisations), for the registration form's "already
// here?" and the project's invitation.
import { useEffect, useState } from 'react';
import { SearchDocument } from '../generated/graphql/graphql';
import { request } from './graphql/client';
import { apiLanguage } from './i18n';
import { useDebounced } from './useDebounced';

export interface FoundOrganization {
  id: string;
  name: string;
  kind: string;
}

/** Up to `first` organisations like `text`, once it has `min` characters. */
export function useOrganizationSearch(text: string, min = 4, first = 5): FoundOrganization[] {
  const typed = useDebounced(text.trim(), 500);
  const [found, setFound] = useState<FoundOrganization[]>([]);
  useEffect(() => {
    let current = true;
    if (typed.length < min) {
      setFound([]);
      return;
    }
    request(SearchDocument, { query: typed, filter: { types: ['ORGANIZATION'] }, first, lang: apiLanguage() }).then(
      (data) =>
        current &&
        setFound(
          data.search.nodes.flatMap((n) => (n.organization ? [{ id: n.organization.id, name: n.organization.name, kind: n.organization.kindLabel }] : [])),
        ),
      () => current && setFound([]),
    );
    return () => {
      current = false;
    };
  }, [typed, min, first]);
  return found;
}
