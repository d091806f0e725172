// The demo accounts, listed on the sign-in page only when the server has the
// demo loaded (it answers /demo/accounts.json then, and 404 otherwise).
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import DataTable from './DataTable';

interface DemoAccount {
  email: string;
  password: string;
  role: { it: string; en: string };
  organization: string;
}

export default function DemoAccounts({ onPick }: { onPick: (email: string, password: string) => void }) {
  const { t, i18n } = useTranslation();
  const [accounts, setAccounts] = useState<DemoAccount[]>([]);
  useEffect(() => {
    let current = true;
    fetch('/demo/accounts.json')
      .then((r) => (r.ok ? r.json() : []))
      .then((list: DemoAccount[]) => current && setAccounts(list))
      .catch(() => undefined);
    return () => {
      current = false;
    };
  }, []);
  if (!accounts.length) return null;
  return (
    <section aria-labelledby="demo-accounts" className="mt-5">
      <h2 id="demo-accounts" className="h4">{t('signIn.demoTitle')}</h2>
      <p>{t('signIn.demoIntro')}</p>
      <DataTable
        compact
        headers={[
          t('signIn.demoRole'),
          t('signIn.email'),
          t('signIn.password'),
          <span className="visually-hidden">{t('signIn.demoUse')}</span>,
        ]}
      >
        {accounts.map((a) => (
          <tr key={a.email}>
            <td>{i18n.language === 'en' ? a.role.en : a.role.it}<br /><span className="text-muted small">{a.organization}</span></td>
            <td><code>{a.email}</code></td>
            <td><code>{a.password}</code></td>
            <td>
              <button type="button" className="btn btn-sm btn-outline-primary" onClick={() => onPick(a.email, a.password)}>
                {t('signIn.demoUse')}<span className="visually-hidden"> {a.email}</span>
              </button>
            </td>
          </tr>
        ))}
      </DataTable>
    </section>
  );
}
