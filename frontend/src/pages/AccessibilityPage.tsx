// The accessibility statement, on the structure of AgID's model
// (dichiarazione di accessibilità, Linee guida sull'accessibilità degli strumenti informatici).
import { Fragment } from 'react';
import { useTranslation } from 'react-i18next';
import { PageTitle } from '../components/Status';

/** Each part of the statement: its heading and its paragraph, or its list. */
const SECTIONS: [string, string | string[]][] = [
  ['statusTitle', 'status'],
  ['notAccessibleTitle', ['notAccessible1', 'notAccessible2']],
  ['preparationTitle', 'preparation'],
  ['feedbackTitle', 'feedback'],
  ['enforcementTitle', 'enforcement'],
];

export default function AccessibilityPage() {
  const { t } = useTranslation();
  return (
    <>
      <PageTitle title={t('accessibility.title')} />
      <p>{t('accessibility.intro')}</p>
      {SECTIONS.map(([title, body]) => (
        <Fragment key={title}>
          <h2 className="h4">{t(`accessibility.${title}`)}</h2>
          {typeof body === 'string' ? (
            <p>{t(`accessibility.${body}`)}</p>
          ) : (
            <ul>
              {body.map((item) => <li key={item}>{t(`accessibility.${item}`)}</li>)}
            </ul>
          )}
        </Fragment>
      ))}
    </>
  );
}
