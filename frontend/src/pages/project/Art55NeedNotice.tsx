// On a need's page: when the need is the subject of an art. 55 public
// notice open for applications, where to read it and apply (the need's
// own organisation finds its project in "Avvia un progetto" instead).
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { NeedNoticeDocument } from '../../../generated/graphql/graphql';
import { useQuery } from '../../graphql/client';
import Section from '../../components/Section';
import { useSession } from '../../session';
import { pathTo } from '../../routes';

export default function Art55NeedNotice({ needId, organizationId }: { needId: string; organizationId: string }) {
  const { t } = useTranslation();
  const session = useSession();
  const { data } = useQuery(NeedNoticeDocument, { id: needId });
  const projectId = data?.need?.openNoticeProjectId;
  if (!projectId || session.roleIn(organizationId) === 'ADMIN') return null;
  return (
    <Section id="need-notice" title={t('art55.needNoticeTitle')} className="mt-5">
      <p>{t('art55.needNoticeText')}</p>
      <p>
        <Link to={pathTo('project', { id: projectId })} className="btn btn-primary">{t('art55.needNoticeLink')}</Link>
      </p>
    </Section>
  );
}
