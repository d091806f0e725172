// The signed pact as a PDF, from the server's /projects/{id}/pact.pdf: fetched
// with the session's token (a private pact is its partners' only) and saved
// through a Blob link, so that the browser names the file.
import { currentToken } from '../session/token';
import { pactFileName } from './workspace';

/** The pact's address in the reader's language. */
export function pactUrl(projectId: string, lang: string): string {
  return `/projects/${encodeURIComponent(projectId)}/pact.pdf?lang=${lang === 'en' ? 'en' : 'it'}`;
}

/** Downloads the pact; rejects with the HTTP status when the server refuses. */
export async function downloadPact(projectId: string, title: string, lang: string): Promise<void> {
  const token = currentToken();
  const response = await fetch(pactUrl(projectId, lang), {
    headers: { Accept: 'application/pdf', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = pactFileName(title);
  document.body.appendChild(link);
  link.click();
  link.remove();
  // The click has started the download: the Blob may go a moment later.
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
