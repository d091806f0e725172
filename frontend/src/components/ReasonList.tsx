// A match's reasons criterion by criterion, as a person reads them: what
// each criterion found and what it is worth, "requisito" for a rule the
// pair meets, or how far the organisation's own verdicts moved it.
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
  // Feedback moves the score up or down: its points carry their sign.
  const points = (r: ShownReason) => {
    const count = Math.round(r.contribution * 100);
    if (r.criterion === 'FEEDBACK') return `${count > 0 ? '+' : ''}${t('matches.points', { count })}`;
    return r.weight > 0 ? t('matches.points', { count }) : t('matches.rule');
  };
  return (
    <ul className="list-unstyled mb-0 mt-2">
      {reasons.map((r) => (
        <li key={`${r.criterion}-${r.code}`} className="match-reason">
          <span className="reason-criterion">{t(`matches.criteria.${r.criterion}`)}</span>
          <span className="reason-message">{r.message}</span>
          <span className="reason-points">{points(r)}</span>
        </li>
      ))}
    </ul>
  );
}
