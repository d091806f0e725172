// The router: one page per route of routes.json, the 404 page for the rest.
import { lazy, Suspense, useEffect, useRef } from 'react';
import { Route, Routes, useLocation } from 'react-router-dom';
import Layout from './components/Layout';
import { Loading, NotFound } from './components/Status';
import { routes } from './routes';
import HomePage from './pages/HomePage';
import SearchPage from './pages/SearchPage';
import NeedPage from './pages/NeedPage';
import OfferPage from './pages/OfferPage';
import OrganizationPage from './pages/OrganizationPage';
import OpenDataPage from './pages/OpenDataPage';
import AccessibilityPage from './pages/AccessibilityPage';
import PrivacyPage from './pages/PrivacyPage';
import SignInPage from './pages/SignInPage';
import AccountPage from './pages/AccountPage';
import { NeedFormPage, OfferFormPage } from './pages/PostingFormPage';
import SignUpPage from './pages/account/SignUpPage';
import VerifyEmailPage from './pages/account/VerifyEmailPage';
import ResetPasswordPage from './pages/account/ResetPasswordPage';
import NewOrganizationPage from './pages/organizations/NewOrganizationPage';
import OrganizationRequestsPage from './pages/organizations/OrganizationRequestsPage';
import ClaimConfirmPage from './pages/organizations/ClaimConfirmPage';
import DigestSettingsPage from './pages/account/DigestSettingsPage';
import MembersPage from './pages/organizations/MembersPage';
import InvitationPage from './pages/organizations/InvitationPage';
import ModerationPage from './pages/ModerationPage';
import ProjectPage from './pages/ProjectPage';

// The observatory carries the map (Leaflet): loaded when opened.
const ObservatoryPage = lazy(() => import('./pages/ObservatoryPage'));

/** Moves focus to the page's content after navigation, for screen readers and keyboards. */
function FocusOnNavigate() {
  const { pathname } = useLocation();
  const first = useRef(true);
  useEffect(() => {
    // Not on arrival: the browser starts at the top of the page already.
    if (first.current) {
      first.current = false;
      return;
    }
    document.getElementById('main')?.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }, [pathname]);
  return null;
}

export default function App() {
  return (
    <Layout>
      <FocusOnNavigate />
      <Suspense fallback={<Loading />}>
        <Routes>
          <Route path={routes.home} element={<HomePage />} />
          <Route path={routes.search} element={<SearchPage />} />
          <Route path={routes.need} element={<NeedPage />} />
          <Route path={routes.offer} element={<OfferPage />} />
          <Route path={routes.organization} element={<OrganizationPage />} />
          <Route path={routes.organizationRequests} element={<OrganizationRequestsPage />} />
          <Route path={routes.project} element={<ProjectPage />} />
          <Route path={routes.account} element={<AccountPage />} />
          <Route path={routes.signIn} element={<SignInPage />} />
          <Route path={routes.observatory} element={<ObservatoryPage />} />
          <Route path={routes.openData} element={<OpenDataPage />} />
          <Route path={routes.accessibility} element={<AccessibilityPage />} />
          <Route path={routes.privacy} element={<PrivacyPage />} />
          <Route path={routes.needNew} element={<NeedFormPage />} />
          <Route path={routes.needEdit} element={<NeedFormPage />} />
          <Route path={routes.offerNew} element={<OfferFormPage />} />
          <Route path={routes.offerEdit} element={<OfferFormPage />} />
          <Route path={routes.signUp} element={<SignUpPage />} />
          <Route path={routes.verifyEmail} element={<VerifyEmailPage />} />
          <Route path={routes.resetPassword} element={<ResetPasswordPage />} />
          <Route path={routes.newOrganization} element={<NewOrganizationPage />} />
          <Route path={routes.claimConfirm} element={<ClaimConfirmPage />} />
          <Route path={routes.digestSettings} element={<DigestSettingsPage />} />
          <Route path={routes.organizationMembers} element={<MembersPage />} />
          <Route path={routes.invitation} element={<InvitationPage />} />
          <Route path={routes.moderation} element={<ModerationPage />} />
          <Route path="*" element={<NotFound />} />
        </Routes>
      </Suspense>
    </Layout>
  );
}
