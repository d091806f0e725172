import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router-dom';
import 'bootstrap-italia/dist/css/bootstrap-italia.min.css';
import './fonts.css';
import './app.css';
import i18n from './i18n';
import App from './App';
import { SessionProvider } from './session';

document.documentElement.lang = i18n.language;
const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <BrowserRouter>
        <SessionProvider>
          <App />
        </SessionProvider>
      </BrowserRouter>
    </StrictMode>,
  );
}
