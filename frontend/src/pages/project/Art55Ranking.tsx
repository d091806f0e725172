// The outcome of the comparative evaluation: the scored applications in
// the order of their totals (first, so that a phone shows them without
// scrolling), the role each was admitted in, each criterion's points, and whether it reaches the notice's minimum (those that do
// go on to the co-design table).
import { useTranslation } from 'react-i18next';
import Section from '../../components/Section';
import { ranking, type Art55 } from '../../projects/art55';

export default function Art55Ranking({ ws }: { ws: Art55 }) {
  const { t } = useTranslation();
  const ranked = ranking(ws.applications);
  if (ranked.length === 0) return null;
  const criteria = ws.notice?.criteria ?? [];
  const through = ranked.filter((a) => a.admissible !== false).length;
  return (
    <Section id="project-ranking" title={t('art55.rankingTitle')}>
      <p role="status">{t('art55.outcome', { count: ranked.length, through })}</p>
      {/* Scrolls sideways on a phone: reachable by keyboard, named by its caption. */}
      <div className="table-responsive" tabIndex={0} role="region" aria-labelledby="ranking-caption">
        <table className="table ranking-table">
          <caption id="ranking-caption" className="caption-top">{t('art55.rankingCaption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('art55.position')}</th>
              <th scope="col">{t('art55.organization')}</th>
              <th scope="col" className="text-end">{t('art55.total')}</th>
              <th scope="col">{t('art55.reachesMinimum')}</th>
              <th scope="col">{t('art55.role')}</th>
              {criteria.map((c) => (
                <th scope="col" key={c.name} className="text-end">
                  {c.name} <span className="fw-normal text-muted">(×{c.weight})</span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {ranked.map((a) => (
              <tr key={a.id}>
                <td>{a.position}</td>
                <th scope="row">{a.organizationName}</th>
                <td className="text-end fw-semibold">{a.total}</td>
                <td>{t(a.admissible === false ? 'art55.no' : 'art55.yes')}</td>
                <td>{a.role ? t(`project.role.${a.role}`) : ''}</td>
                {criteria.map((c, i) => (
                  <td key={c.name} className="text-end">{a.scores?.[i] ?? ''}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Section>
  );
}
