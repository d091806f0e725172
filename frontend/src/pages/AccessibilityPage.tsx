// The accessibility statement, on the structure of AgID's model
// (dichiarazione di accessibilità, Linee guida sull'accessibilità degli strumenti informatici).
import { useTranslation } from 'react-i18next';
import { usePageTitle } from '../components/Status';

export default function AccessibilityPage() {
  const { t } = useTranslation();
  usePageTitle(t('accessibility.title'));
  return (
    <>
      <h1>{t('accessibility.title')}</h1>
      <p>{t('accessibility.intro')}</p>
      <h2 className="h4">{t('accessibility.statusTitle')}</h2>
      <p>{t('accessibility.status')}</p>
      <h2 className="h4">{t('accessibility.notAccessibleTitle')}</h2>
      <ul>
        <li>{t('accessibility.notAccessible1')}</li>
        <li>{t('accessibility.notAccessible2')}</li>
      </ul>
      <h2 className="h4">{t('accessibility.preparationTitle')}</h2>
      <p>{t('accessibility.preparation')}</p>
      <h2 className="h4">{t('accessibility.feedbackTitle')}</h2>
      <p>{t('accessibility.feedback')}</p>
      <h2 className="h4">{t('accessibility.enforcementTitle')}</h2>
      <p>{t('accessibility.enforcement')}</p>
    </>
  );
}
