// The frame of every page: skip link, header with the language switch and the
// main navigation, the page itself in <main>, and the footer.
import { type ReactNode } from 'react';
import { NavLink, Link, useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { setLanguage } from '../i18n';
import { pathTo } from '../routes';
import { useSession } from '../session';

export default function Layout({ children }: { children: ReactNode }) {
  const { t, i18n } = useTranslation();
  const other = i18n.language === 'en' ? 'it' : 'en';
  const session = useSession();
  const navigate = useNavigate();
  return (
    <>
      <a className="visually-hidden-focusable skip-link" href="#main">
        {t('layout.skip')}
      </a>
      <header className="it-header-wrapper">
        <div className="it-header-slim-wrapper">
          <div className="container">
            <div className="it-header-slim-wrapper-content">
              <span className="navbar-brand d-none d-sm-inline">{t('layout.owner')}</span>
              <div className="it-header-slim-right-zone">
                <button
                  type="button"
                  className="btn btn-sm btn-outline-light lang-switch"
                  lang={other}
                  onClick={() => setLanguage(other)}
                >
                  {t('layout.switchLanguage')}
                </button>
              </div>
            </div>
          </div>
        </div>
        <div className="it-header-center-wrapper">
          <div className="container">
            <div className="it-header-center-content-wrapper">
              <div className="it-brand-wrapper">
                <Link to={pathTo('home')}>
                  <div className="it-brand-text">
                    <div className="it-brand-title">Trama</div>
                    <div className="it-brand-tagline">{t('layout.tagline')}</div>
                  </div>
                </Link>
              </div>
            </div>
          </div>
        </div>
        <nav className="trama-nav" aria-label={t('layout.navLabel')}>
          <div className="container">
            <ul>
              <li><NavLink to={pathTo('home')} end>{t('nav.home')}</NavLink></li>
              <li><NavLink to={pathTo('search')}>{t('nav.search')}</NavLink></li>
              <li><NavLink to={pathTo('observatory')}>{t('nav.observatory')}</NavLink></li>
              <li><NavLink to={pathTo('openData')}>{t('nav.openData')}</NavLink></li>
              {session.status === 'signedIn' ? (
                <>
                  <li><NavLink to={pathTo('account')}>{t('dashboard.nav')}</NavLink></li>
                  <li>
                    <button type="button" className="nav-button" onClick={() => void session.signOut().then(() => navigate(pathTo('home')))}>
                      {t('account.signOut')}
                    </button>
                  </li>
                </>
              ) : (
                <li><NavLink to={pathTo('signIn')}>{t('nav.signIn')}</NavLink></li>
              )}
            </ul>
          </div>
        </nav>
      </header>
      <main id="main" tabIndex={-1} className="container my-4">
        {children}
      </main>
      <footer className="it-footer">
        <div className="it-footer-small-prints clearfix">
          <div className="container">
            <h2 className="visually-hidden">{t('layout.footerLinks')}</h2>
            <ul className="it-footer-small-prints-list list-inline mb-0 d-flex flex-column flex-md-row">
              <li className="list-inline-item"><Link to={pathTo('accessibility')}>{t('nav.accessibility')}</Link></li>
              <li className="list-inline-item"><Link to={pathTo('privacy')}>{t('nav.privacy')}</Link></li>
              <li className="list-inline-item"><Link to={pathTo('openData')}>{t('nav.openData')}</Link></li>
              <li className="list-inline-item"><a href="/graphql">{t('nav.api')}</a></li>
            </ul>
          </div>
        </div>
      </footer>
    </>
  );
}
