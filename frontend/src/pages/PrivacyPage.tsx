// The privacy notice (art. 13 GDPR): who processes which data, why, for how
// long, and the reader's rights.
import { useTranslation } from 'react-i18next';
import { PageTitle } from '../components/Status';

const SECTIONS = ['controller', 'data', 'purposes', 'retention', 'recipients', 'rights', 'cookies'] as const;

export default function PrivacyPage() {
  const { t } = useTranslation();
  return (
    <>
      <PageTitle title={t('privacy.title')} />
      <p>{t('privacy.intro')}</p>
      {SECTIONS.map((s) => (
        <section key={s} aria-labelledby={`privacy-${s}`}>
          <h2 id={`privacy-${s}`} className="h4">{t(`privacy.${s}.title`)}</h2>
          <p>{t(`privacy.${s}.body`)}</p>
        </section>
      ))}
    </>
  );
}
