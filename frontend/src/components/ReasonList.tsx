// A match's reasons criterion by criterion, as a person reads them: what
// each criterion found and what it is worth, or "requisito" for a rule the
// pair meets.
import { useTranslation } from 'react-i18next';
import type { MatchCriterion } from '../../generated/graphql/graphql';

export type ShownReason = {
  criterion: MatchCriterion;
  code: string;
  weight: number;
  contribution: number;
  message: string;
};

export default function ReasonList({ reasons }: { reasons: readonly ShownReason[] }) {
  const { t } = useTranslation();
  return (
    <ul className="list-unstyled mb-0 mt-2">
      {reasons.map((r) => (
        <li key={`${r.criterion}-${r.code}`} className="match-reason">
          <span className="reason-criterion">{t(`matches.criteria.${r.criterion}`)}</span>
          <span className="reason-message">{r.message}</span>
          <span className="reason-points">
            {r.weight > 0 ? t('matches.points', { count: Math.round(r.contribution * 100) }) : t('matches.rule')}
          </span>
        </li>
      ))}
    </ul>
  );
}
