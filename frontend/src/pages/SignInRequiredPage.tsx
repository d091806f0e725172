// Pages that e-mails link to and that only signed-in people may see (a
// co-design project, an organisation's requests): they say so and offer to
// sign in, coming back here afterwards.
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'react-router-dom';
import { usePageTitle } from '../components/Status';
import { signInPath } from '../nextPath';

export default function SignInRequiredPage({ page }: { page: 'project' | 'requests' }) {
  const { t } = useTranslation();
  const location = useLocation();
  usePageTitle(t(`${page}.title`));
  return (
    <>
      <h1>{t(`${page}.title`)}</h1>
      <p>{t(`${page}.body`)}</p>
      <p><Link to={signInPath(location.pathname + location.search)} className="btn btn-primary">{t('nav.signIn')}</Link></p>
    </>
  );
}
