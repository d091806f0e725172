// The signed-in person's ways to the pages of this part of the app: register
// an organisation, the digest and saved searches, and (moderators) the queue.
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { pathTo } from '../routes';

export default function AccountLinks({ isModerator }: { isModerator: boolean }) {
  const { t } = useTranslation();
  return (
    <nav aria-labelledby="account-links" className="my-4">
      <h2 id="account-links" className="h5">{t('accountLinks.title')}</h2>
      <ul>
        <li><Link to={pathTo('newOrganization')}>{t('accountLinks.newOrganization')}</Link></li>
        <li><Link to={pathTo('digestSettings')}>{t('accountLinks.digest')}</Link></li>
        {isModerator && <li><Link to={pathTo('moderation')}>{t('accountLinks.moderation')}</Link></li>}
      </ul>
    </nav>
  );
}
