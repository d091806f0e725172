// The lines a need's or an offer's page adds under its first place: the
// further places ("Anche: Barona, Gratosoglio (Milano); Sesto San
// Giovanni") and how far a need reaches beyond them ("Riguarda tutta la
// provincia di Milano").
import { useTranslation } from 'react-i18next';
import type { TerritoryScope } from '../../generated/graphql/graphql';
import { reachOf, type NamedPlace } from '../places';

/** "Anche: …", on its own line; nothing when `places` is empty. */
export function AlsoLine({ places }: { places: string }) {
  const { t } = useTranslation();
  if (!places) return null;
  return <span className="d-block">{t('places.also', { places })}</span>;
}

/** "Riguarda tutta la provincia di …", on its own line, for a reach wider than a municipality. */
export function ReachLine({ scope, municipalities }: {
  scope: TerritoryScope | null | undefined;
  municipalities: readonly (NamedPlace['municipality'] | null | undefined)[];
}) {
  const { t } = useTranslation();
  const reach = reachOf(scope, municipalities);
  if (!reach) return null;
  const text = reach.area === 'national'
    ? t('places.national')
    : t(`places.${reach.area}`, { count: reach.names.length, names: reach.names.join('; ') });
  return <span className="d-block">{text}</span>;
}
