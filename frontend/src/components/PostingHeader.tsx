// What a need's and an offer's page open with: what it is and in which state,
// its title, who posted it, and its description.
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { pathTo } from '../routes';

export interface Posting {
  kindLabel: string;
  status: string;
  title: string;
  description: string;
  organization: { id: string; name: string; kindLabel: string };
}

/** `label` names the kind of record ("Need"), `by` introduces its organisation. */
export default function PostingHeader({ label, by, posting }: { label: string; by: string; posting: Posting }) {
  const { t } = useTranslation();
  return (
    <>
      <p className="text-muted mb-1">
        {label} · {posting.kindLabel} · {t(`status.${posting.status}`)}
      </p>
      <h1>{posting.title}</h1>
      <p>
        {by} <Link to={pathTo('organization', { id: posting.organization.id })}>{posting.organization.name}</Link>{' '}
        <span className="text-muted">({posting.organization.kindLabel})</span>
      </p>
      <div className="description">{posting.description}</div>
    </>
  );
}
