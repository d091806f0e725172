// The e-mails Trama wrote to its mail folder (<data dir>/mail/*.eml, used
// when no SMTP server is configured): their recipients, subjects, plain and
// HTML bodies, and the links in them, for the browser tests to follow.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

/** Quoted-printable to text (UTF-8): soft line breaks joined, =XX decoded as bytes. */
export function decodeQuotedPrintable(body) {
  const joined = body.replace(/=\r?\n/g, '');
  const bytes = [];
  for (let i = 0; i < joined.length; i++) {
    const hex = joined.slice(i + 1, i + 3);
    if (joined[i] === '=' && /^[0-9A-F]{2}$/i.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(joined[i], 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function decodePart(headers, body) {
  const encoding = /content-transfer-encoding:\s*([\w-]+)/i.exec(headers)?.[1]?.toLowerCase();
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(body);
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  return body;
}

/** One .eml file: the headers the tests need and its text and HTML parts. */
export function parseMail(raw) {
  const split = raw.indexOf('\r\n\r\n') >= 0 ? '\r\n\r\n' : '\n\n';
  const headerEnd = raw.indexOf(split);
  const headers = raw.slice(0, headerEnd).replace(/\r?\n[ \t]+/g, ' ');
  const body = raw.slice(headerEnd + split.length);
  const header = (name) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(headers)?.[1] ?? '';
  const mail = { to: header('To'), subject: header('Subject'), text: '', html: '' };
  const boundary = /boundary="?([^";\s]+)"?/i.exec(headers)?.[1];
  const parts = boundary ? body.split(`--${boundary}`).slice(1, -1) : [`${headers}${split}${body}`];
  for (const part of parts) {
    const trimmed = part.replace(/^\r?\n/, '');
    const end = trimmed.indexOf(split);
    const partHeaders = trimmed.slice(0, end);
    const content = decodePart(partHeaders, trimmed.slice(end + split.length));
    if (/content-type:\s*text\/plain/i.test(partHeaders)) mail.text = content;
    if (/content-type:\s*text\/html/i.test(partHeaders)) mail.html = content;
  }
  return mail;
}

/** Every e-mail in the folder. */
export function readMails(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.eml'))
    .map((f) => parseMail(readFileSync(join(dir, f), 'utf8')));
}

/** Waits until an e-mail to `address` matching `predicate` has been written. */
export async function waitForMail(dir, address, predicate = () => true, seconds = 30) {
  for (let i = 0; i < seconds * 4; i++) {
    const found = readMails(dir).find((m) => m.to.includes(address) && predicate(m));
    if (found) return found;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no e-mail to ${address} within ${seconds} s`);
}

const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'", apos: "'" };
const unescape = (s) => s.replace(/&(amp|lt|gt|quot|#39|#x27|apos);/g, (_, e) => ENTITIES[e]);

/** The links of an HTML body: each href with its text (tags stripped, spaces collapsed). */
export function linksIn(html) {
  return [...html.matchAll(/<a\b[^>]*\bhref="([^"]+)"[^>]*>([\s\S]*?)<\/a>/gi)].map(([, href, text]) => ({
    href: unescape(href),
    text: unescape(text.replace(/<[^>]+>/g, '')).replace(/\s+/g, ' ').trim(),
  }));
}
