// Italian first, English on request; the choice is remembered in the browser.
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import it from './it.json';
import en from './en.json';

export type AppLanguage = 'it' | 'en';

function initialLanguage(): AppLanguage {
  try {
    return window.localStorage.getItem('trama.lang') === 'en' ? 'en' : 'it';
  } catch {
    return 'it';
  }
}

void i18n.use(initReactI18next).init({
  resources: { it: { translation: it }, en: { translation: en } },
  lng: typeof window === 'undefined' ? 'it' : initialLanguage(),
  fallbackLng: 'it',
  interpolation: { escapeValue: false },
});

export function setLanguage(lang: AppLanguage): void {
  window.localStorage.setItem('trama.lang', lang);
  document.documentElement.lang = lang;
  void i18n.changeLanguage(lang);
}

/** The API's `Language` for labels in the reader's language. */
export function apiLanguage(): 'IT' | 'EN' {
  return i18n.language === 'en' ? 'EN' : 'IT';
}

export default i18n;
