// Browser tests of the web app: boots the real `trama serve --demo` on a free
// port with a fresh data directory, drives Debian's Chromium with
// playwright-core, audits every page with axe-core at 1280 and 390 px, and
// fails on any request to another host. Screenshots go to e2e/screenshots/.
//
// TRAMA_BIN: the trama binary (default ../target/debug/trama);
// CHROMIUM: the browser (default /usr/bin/chromium); E2E_ONLY: run only the
// tests whose name contains it.
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, mkdirSync, rmSync, existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateSync } from 'node:zlib';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { linksIn, waitForMail } from './mail.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const bin = process.env.TRAMA_BIN ?? resolve(here, '../../target/debug/trama');
const browserPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const shots = join(here, 'screenshots');
mkdirSync(shots, { recursive: true });

function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
    server.on('error', fail);
  });
}

async function waitReady(base, server, seconds) {
  for (let i = 0; i < seconds * 2; i++) {
    if (server.exitCode !== null) throw new Error(`trama exited with ${server.exitCode}`);
    try {
      const r = await fetch(`${base}/readyz`);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`trama was not ready within ${seconds} s`);
}

if (!existsSync(bin)) {
  console.error(`e2e: no trama binary at ${bin} (cargo build first, or set TRAMA_BIN)`);
  process.exit(1);
}
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const dataDir = mkdtempSync(join(tmpdir(), 'trama-e2e-'));
const server = spawn(bin, ['serve', '--demo'], {
  env: {
    ...process.env,
    TRAMA_DATA_DIR: dataDir,
    TRAMA_LISTEN: `127.0.0.1:${port}`,
    TRAMA_PUBLIC_URL: base,
    TRAMA_LOG: process.env.TRAMA_LOG ?? 'warn',
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});
const stop = () => {
  if (server.exitCode === null) server.kill('SIGTERM');
};
process.on('exit', stop);

const failures = [];
let browser;
let lastPage;
try {
  await waitReady(base, server, 240);
  browser = await chromium.launch({ executablePath: browserPath, args: ['--no-sandbox'] });

  /** A page that records every request to a host other than Trama's. */
  async function open(width = 1280) {
    const context = await browser.newContext({ viewport: { width, height: 900 }, acceptDownloads: true });
    const page = await context.newPage();
    lastPage = page;
    page.foreign = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (!['data:', 'blob:'].includes(url.protocol) && url.host !== `127.0.0.1:${port}`) page.foreign.push(request.url());
    });
    return page;
  }

  // E2E_ONLY=text: run only the tests whose name contains it (while writing one).
  const only = process.env.E2E_ONLY;
  async function test(name, body) {
    if (only && !name.includes(only)) return;
    const started = Date.now();
    try {
      await body();
      console.log(`ok    ${name} (${Date.now() - started} ms)`);
    } catch (error) {
      failures.push(name);
      console.log(`FAIL  ${name}\n${error?.stack ?? error}`);
      // What the last page opened showed when it failed.
      await lastPage?.screenshot({ path: join(shots, `failed-${failures.length}.png`), fullPage: true }).catch(() => undefined);
    }
  }

  async function audit(page, label) {
    const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert.deepEqual(
      serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`),
      [],
      `axe on ${label}`,
    );
  }

  // A need, an offer and an organisation from the demo, for their pages.
  const search = async (query, type) => {
    const r = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        query: 'query($q:String!,$f:SearchFilter){search(query:$q,filter:$f,first:1){nodes{id}}}',
        variables: { q: query, f: { types: [type] } },
      }),
    });
    const body = await r.json();
    return body.data.search.nodes[0].id;
  };
  const needId = await search('portierato', 'NEED');
  const offerId = await search('', 'OFFER');
  const orgId = await search('ALER', 'ORGANIZATION');

  const pages = [
    ['home', '/'],
    ['search', '/search?q=portierato+sociale'],
    ['need', `/needs/${needId}`],
    ['offer', `/offers/${offerId}`],
    ['organization', `/organizations/${orgId}`],
    ['observatory', '/observatory'],
    ['open-data', '/open-data'],
    ['accessibility', '/accessibility'],
    ['privacy', '/privacy'],
    ['sign-in', '/sign-in'],
    ['account', '/account'],
    ['project', '/projects/1'],
    ['sign-up', '/sign-up'],
    ['verify-email', '/account/verify?token=expired'],
    ['reset-password', '/account/reset'],
    ['new-password', '/account/reset?token=x'],
    ['new-organization', '/organizations/new'],
    ['organization-requests', `/organizations/${orgId}/requests`],
    ['claim-confirm', '/organizations/claims/confirm?token=x'],
    ['digest-settings', '/account/digest'],
    ['organization-members', `/organizations/${orgId}/members`],
    ['invitation', '/invitations/accept?token=x'],
    ['moderation-signed-out', '/moderation'],
    ['not-found', '/no-such-page'],
  ];
  for (const width of [1280, 390]) {
    await test(`every page is accessible at ${width} px and loads nothing from elsewhere`, async () => {
      const page = await open(width);
      for (const [name, path] of pages) {
        const response = await page.goto(base + path);
        assert.equal(response.status(), name === 'not-found' ? 404 : 200, `status of ${path}`);
        await page.locator('h1').first().waitFor();
        await page.waitForLoadState('networkidle');
        assert.equal(await page.locator('h1').count(), 1, `one h1 on ${path}`);
        assert.equal(await page.locator('.alert-danger').count(), 0, `no error on ${path}`);
        await audit(page, `${path} at ${width} px`);
        await page.screenshot({ path: join(shots, `${name}-${width}.png`), fullPage: width === 390 ? false : true });
      }
      assert.deepEqual(page.foreign, []);
      await page.context().close();
    });
  }

  await test('3. a visitor searches, ticks a facet, picks a neighbourhood on the map, opens a result and downloads the open data', async () => {
    const page = await open();
    await page.goto(base + '/');
    await page.getByLabel('Che cosa cerchi?').fill('portierato');
    await page.getByRole('button', { name: 'Cerca' }).click();
    await page.getByRole('heading', { level: 1, name: /portierato/ }).waitFor();
    // The kit draws the checkbox with its label: people click the label.
    await page.locator('label[for="facet-type-NEED"]').click();
    await page.waitForURL(/type=NEED/);
    await page.waitForFunction(() => {
      const kinds = [...document.querySelectorAll('.result .badge')].map((b) => b.textContent);
      return kinds.length > 0 && kinds.every((k) => k === 'Bisogno');
    }, undefined, { timeout: 90_000 });
    // The map: a neighbourhood shaded by its results narrows the search to it.
    const shaded = page.locator('.leaflet-container path.leaflet-interactive:not([fill="#e6ecf2"])');
    await shaded.first().waitFor({ timeout: 90_000 });
    assert.ok(await page.locator('.leaflet-container path').count() > await shaded.count(), 'the map draws every neighbourhood, shading those with results');
    await shaded.first().dispatchEvent('click');
    await page.waitForURL(/neighbourhood=/);
    // The chosen neighbourhood is outlined on the redrawn map.
    await page.locator('.leaflet-container path[stroke-width="3"]').first().waitFor({ timeout: 90_000 });
    // The results of the narrowed search replace the others: let them settle.
    await page.waitForLoadState('networkidle');
    const first = page.locator('.result h3 a').first();
    await first.waitFor();
    assert.ok(await page.locator('.result mark').count() > 0, 'snippets mark the matched words');
    const [title, href] = await first.evaluate((a) => [a.textContent?.trim(), a.getAttribute('href')]);
    await page.locator(`.result h3 a[href="${href}"]`).first().click();
    await page.getByRole('heading', { level: 1, name: title }).waitFor();
    assert.match(page.url(), /\/needs\//);
    await page.getByRole('link', { name: 'Dati aperti' }).first().click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: /CSV.*Bisogni/ }).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'trama-needs.csv');
    assert.deepEqual(page.foreign, []);
    await page.context().close();
  });

  await test('a visitor searches two words few records share: the page says how many have both, and those with either follow', async () => {
    const page = await open();
    await page.goto(base + '/search?q=portineria+Gratosoglio');
    await page.getByRole('heading', { level: 1, name: /portineria Gratosoglio/ }).waitFor();
    // Said inside the live region, with the count of results.
    const status = page.getByRole('status').filter({ has: page.locator('#results-title') });
    const note = await status.getByText(/^\d+ risultat[oi] cont/).textContent({ timeout: 30_000 });
    assert.match(note, /tutte le parole; seguono quelli che ne contengono alcune\.$/);
    const withBoth = Number(note.match(/^\d+/)[0]);
    const total = Number((await page.locator('#results-title').textContent()).match(/\d+/)[0]);
    assert.ok(withBoth >= 1 && withBoth < total, `${withBoth} of ${total}`);
    const first = await page.locator('.result h3 a').first().textContent();
    assert.match(first, /portineria/i);
    assert.match(first, /Gratosoglio/);
    await audit(page, 'search matched in part');
    assert.deepEqual(page.foreign, []);
    await page.context().close();
  });

  await test('the language switch turns the pages into English', async () => {
    const page = await open();
    await page.goto(base + '/');
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { level: 1, name: 'Needs and offers, together' }).waitFor();
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    await page.context().close();
  });

  await test('a demo account signs in from the list on the sign-in page', async () => {
    const page = await open();
    await page.goto(base + '/sign-in');
    await page.getByRole('button', { name: /Usa aler@example.org/ }).click();
    await page.getByRole('button', { name: 'Accedi', exact: true }).click();
    await page.waitForURL(/\/account$/);
    await page.getByText(/Hai effettuato l'accesso come .*aler@example.org/).waitFor();
    await page.context().close();
  });

  /** Signs in from the sign-in page, as people do, and waits for the dashboard. */
  async function signIn(page, email) {
    await page.goto(base + '/sign-in');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('trama-demo-2026');
    await page.getByRole('button', { name: 'Accedi', exact: true }).click();
    await page.waitForURL(/\/account$/);
    await page.getByRole('heading', { level: 2, name: 'Corrispondenze da valutare' }).waitFor();
  }

  /** Audits the page, saves its screenshot and checks that nothing overflows sideways. */
  async function check(page, name, width) {
    await page.waitForLoadState('networkidle');
    await audit(page, `${name} at ${width} px`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `${name} at ${width} px overflows by ${overflow} px`);
    await page.screenshot({ path: join(shots, `${name}-${width}.png`), fullPage: true });
  }

  // Acceptance tests 1 and 2: the need posted by the ALER officer, then
  // answered by the co-operative; the officer's page stays open for the end.
  const needTitle = 'Portierato sociale nei caseggiati ERP di Quarto Oggiaro';
  const coop = 'Portinerie di Comunità Società Cooperativa Sociale';
  let officer;
  let needUrl;

  await test('1. an ALER officer posts a need, corrects a refused field, reads the matches and marks one interesting', async () => {
    // A fresh server indexes the demo in the background; matching a new
    // need draws its candidates from the index: wait for the demo's offers.
    for (let i = 0; ; i++) {
      const r = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          query: '{search(query:"portierato custodia sociale caseggiati",filter:{types:[OFFER]},first:20){nodes{offer{organization{name}}}}}',
        }),
      });
      const names = (await r.json()).data.search.nodes.map((n) => n.offer?.organization.name);
      if (names.includes(coop)) break;
      assert.ok(i < 120, 'the demo offers are indexed within four minutes');
      await new Promise((ok) => setTimeout(ok, 2000));
    }
    officer = await open();
    const page = officer;
    await signIn(page, 'aler@example.org');
    // The account page fills its sections one by one (matches, projects,
    // organisations), each pushing the link further down: click it once
    // they are there, as a person would.
    await page.locator('.match-card').first().waitFor();
    await page.locator('section[aria-labelledby="dashboard-projects"]').waitFor();
    await page.getByRole('link', { name: 'Pubblica un bisogno' }).first().click();
    await page.getByRole('heading', { level: 1, name: 'Pubblica un bisogno' }).waitFor();
    await check(page, 'need-form', 1280);

    await page.getByLabel('Tipo di bisogno').selectOption('SOCIAL_CONCIERGE');
    await page.getByLabel('Titolo').fill(needTitle);
    // Similar needs already posted are suggested while the title is typed.
    await page.locator('.similar-postings li a', { hasText: /Portierato sociale/ }).first().waitFor();
    await page.getByLabel('Descrizione').fill(
      'Cerchiamo una cooperativa sociale per un servizio di portierato sociale nei caseggiati: presenza quotidiana, supporto agli anziani, mediazione dei conflitti di vicinato.',
    );
    await page.locator('label[for="need-requiredContributions-COMPETENCE"]').click();
    await page.getByLabel('Budget (euro)').fill('80.000');
    // A deadline already passed: the API refuses it.
    await page.getByLabel('Scadenza').fill('2020-01-31');
    await page.locator('label[for="need-sectors-abitare"]').click();
    await page.locator('label[for="need-sectors-welfare_comunita"]').click();
    await page.getByRole('button', { name: 'Pubblica il bisogno' }).click();

    // The API's field error, in Italian, next to the field it is about.
    const fieldError = page.locator('#need-deadline-error');
    await fieldError.waitFor();
    assert.match(await fieldError.textContent(), /data è già passata/);
    assert.equal(await page.getByLabel('Scadenza').getAttribute('aria-invalid'), 'true');
    assert.match(await page.getByLabel('Scadenza').getAttribute('aria-describedby'), /need-deadline-error/);
    assert.match(await page.locator('.error-summary').textContent(), /Scadenza: La data è già passata/);
    assert.match(page.url(), /\/needs\/new/);
    await check(page, 'need-form-error', 1280);

    await page.getByLabel('Scadenza').fill(`${new Date().getFullYear() + 1}-06-30`);
    await page.getByRole('button', { name: 'Pubblica il bisogno' }).click();
    await page.getByRole('heading', { level: 1, name: needTitle }).waitFor();
    assert.match(page.url(), /\/needs\/[0-9a-f-]+$/);
    needUrl = page.url();
    await page.getByText('Pubblicato. Ecco le prime corrispondenze').waitFor();

    // Matches from the demo data, each with its reasons criterion by criterion.
    // Matching runs in the background, behind the demo's own (a fresh
    // server is still matching the demo data): the page looks again.
    const card = page.locator('.match-card', { hasText: coop }).first();
    await card.waitFor({ timeout: 180_000 });
    assert.match(await card.textContent(), /Corrispondenza: \d+ su 100/);
    const reasons = card.locator('.match-reason');
    assert.ok((await reasons.count()) >= 5, 'every criterion is listed');
    assert.match(await card.locator('.match-reasons').textContent(), /Territorio.*stesso comune: Milano/s);
    assert.match(await card.locator('.match-reasons').textContent(), /Tipo di contributo.*competenze/s);
    await check(page, 'need-matches', 1280);

    await card.getByRole('button', { name: /^Ci interessa/ }).click();
    await card.locator('.match-status', { hasText: 'Voi: interessati' }).waitFor();

    // Another proposal dismissed, with a reason.
    const otherTitle = await page.locator('.match-card', { hasNotText: coop }).first().locator('.card-title').textContent();
    const other = page.locator('.match-card', { hasText: otherTitle }).first();
    await other.getByRole('button', { name: /^Scarta/ }).click();
    await other.getByLabel('Non è pertinente').check();
    await other.getByRole('button', { name: 'Scarta la proposta' }).click();
    await other.locator('.match-status', { hasText: 'Voi: scartata' }).waitFor();
    await other.getByRole('button', { name: /^Annulla la risposta/ }).waitFor();
    assert.deepEqual(page.foreign, []);
  });

  await test('2. the co-operative admin finds the need on the dashboard and marks interest; the officer sees it', async () => {
    assert.ok(needUrl, 'the need of test 1');
    const page = await open();
    await signIn(page, 'cooperativa@example.org');
    // The officer's interest puts the need among those awaiting an answer.
    await page.getByRole('heading', { level: 3, name: /Aspetta una vostra risposta \(1\)/ }).waitFor({ timeout: 60_000 });
    const card = page.locator('.match-card', { hasText: needTitle }).first();
    await card.waitFor();
    assert.match(await card.textContent(), /Chi ha il bisogno: interessati/);
    assert.match(await card.locator('.match-reasons').textContent(), /Testi.*portierato/s);
    await check(page, 'dashboard', 1280);
    await card.getByRole('button', { name: /^Ci interessa/ }).click();
    await card.locator('.match-status', { hasText: 'Voi: interessati' }).waitFor();

    // The need's page, as the officer sees it: the co-operative's interest.
    await officer.goto(needUrl);
    const answered = officer.locator('.match-card', { hasText: coop }).first();
    await answered.locator('.match-status', { hasText: 'Chi offre: interessati' }).waitFor();
    await officer.screenshot({ path: join(shots, 'need-interest-1280.png'), fullPage: true });
    // Both sides interested: the next steps are contact and co-design.
    await answered.getByRole('button', { name: /^Siamo in contatto/ }).waitFor();

    // The two sides talk: the officer writes, the co-operative reads (the
    // address a link) and answers.
    await answered.getByRole('button', { name: /^Scrivi all'altra parte/ }).click();
    const officerTalk = answered.locator('.conversation');
    await officerTalk.getByLabel(/Il tuo messaggio/).fill('Buongiorno, ci sentiamo giovedì? Il bando: https://www.comune.milano.it/portierato.');
    await officerTalk.getByRole('button', { name: 'Invia il messaggio' }).click();
    await officerTalk.getByText('Messaggio inviato.').waitFor();
    await audit(officer, 'a match conversation');
    await officer.screenshot({ path: join(shots, 'match-conversation-1280.png'), fullPage: true });
    await page.reload();
    const coopCard = page.locator('.match-card', { hasText: needTitle }).first();
    await coopCard.getByRole('button', { name: /^Scrivi all'altra parte/ }).click();
    const coopTalk = coopCard.locator('.conversation');
    await coopTalk.getByText(/ci sentiamo giovedì/).waitFor();
    assert.equal(await coopTalk.getByRole('link', { name: 'https://www.comune.milano.it/portierato' }).count(), 1);
    await coopTalk.getByLabel(/Il tuo messaggio/).fill('Volentieri, a giovedì.');
    await coopTalk.getByRole('button', { name: 'Invia il messaggio' }).click();
    await coopTalk.getByText('Volentieri, a giovedì.').waitFor();
    assert.deepEqual(page.foreign, []);
    assert.deepEqual(officer.foreign, []);
    await page.context().close();
  });

  for (const width of [390, 320]) {
    await test(`the signed-in pages are accessible and fit at ${width} px`, async () => {
      assert.ok(needUrl, 'the need of test 1');
      const page = await open(width);
      await signIn(page, 'aler@example.org');
      await page.locator('.match-card').first().waitFor({ timeout: 60_000 });
      await check(page, 'dashboard', width);
      await page.goto(base + '/needs/new');
      await page.getByRole('heading', { level: 1, name: 'Pubblica un bisogno' }).waitFor();
      await check(page, 'need-form', width);
      await page.goto(needUrl);
      await page.locator('.match-card').first().waitFor();
      await check(page, 'need-matches', width);
      await page.goto(needUrl + '/edit');
      await page.getByRole('heading', { level: 1, name: 'Modifica il bisogno' }).waitFor();
      assert.equal(await page.getByLabel('Titolo').inputValue(), needTitle);
      await check(page, 'need-edit', width);
      await page.goto(base + '/offers/new');
      await page.getByRole('heading', { level: 1, name: "Pubblica un'offerta" }).waitFor();
      await check(page, 'offer-form', width);
      // Signing out from the header ends the session on every page.
      await page.getByRole('button', { name: 'Esci' }).first().click();
      await page.waitForURL(base + '/');
      await page.goto(base + '/needs/new');
      await page.getByRole('heading', { level: 1, name: 'Accedi per continuare' }).waitFor();
      assert.deepEqual(page.foreign, []);
      await page.context().close();
    });
  }
  await officer?.context().close();

  /** Signs in through the sign-in page, coming back to `next`. */
  async function signInWith(page, email, password, next) {
    await page.goto(`${base}/sign-in${next ? `?next=${encodeURIComponent(next)}` : ''}`);
    await page.getByLabel('Email', { exact: false }).first().fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Accedi', exact: true }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/sign-in'));
  }

  /** A valid codice fiscale of an organisation (11 digits, Luhn-like check digit). */
  function taxCode() {
    const digits = Array.from({ length: 10 }, (_, i) => (i === 0 ? 9 : Math.floor(Math.random() * 10)));
    const sum = digits.reduce((acc, d, i) => {
      if (i % 2 === 0) return acc + d;
      const doubled = d * 2;
      return acc + (doubled > 9 ? doubled - 9 : doubled);
    }, 0);
    return digits.join('') + ((10 - (sum % 10)) % 10);
  }

  await test('an ALER officer finds a grant for third-sector bodies offered through a partner, with who may apply', async () => {
    const presidio = await search('Presidio C.A.S.A. San Siro servizi sanitari', 'NEED');
    for (const width of [1280, 390]) {
      const page = await open(width);
      await signIn(page, 'aler@example.org');
      await page.goto(`${base}/needs/${presidio}`);
      // Its partners are the organisations proposed for it: the demo's
      // matches are computed in the background after a fresh start.
      const region = page.getByRole('region', { name: 'Tramite un partner' });
      for (let i = 0; ; i++) {
        await page.getByRole('heading', { level: 3, name: 'Corrispondenze proposte' }).waitFor();
        await page.waitForLoadState('networkidle');
        if (await region.isVisible()) break;
        assert.ok(i < 60, 'offers through a partner within two minutes');
        await page.waitForTimeout(2000);
        await page.reload();
      }
      const card = region.locator('.match-card').first();
      await card.getByText('Possono richiederla:').waitFor();
      assert.ok((await card.locator('a[href^="/organizations/"]').count()) >= 2, 'the funder and a partner are named');
      await card.locator('summary').click();
      await card.getByText(/^tramite un partner: l'offerta è per /).waitFor();
      await check(page, 'need-through-partner', width);
      await page.context().close();
    }
  });

  await test('an ALER officer asks why a foundation grant is not proposed for her need, and learns who could receive it', async () => {
    const grant = await search('Contributi per il welfare di comunità Fondazione Cariplo', 'OFFER');
    for (const width of [1280, 390]) {
      const page = await open(width);
      await signIn(page, 'aler@example.org');
      await page.goto(`${base}/offers/${grant}`);
      const region = page.getByRole('region', { name: 'Questa offerta e i vostri bisogni' });
      const select = region.getByLabel('Il vostro bisogno');
      const presidio = select.locator('option', { hasText: 'Presidio C.A.S.A. San Siro' });
      await presidio.waitFor({ state: 'attached' });
      await page.waitForLoadState('networkidle');
      await select.selectOption(await presidio.getAttribute('value'));
      assert.ok(await region.getByRole('button', { name: 'Verifica' }).isEnabled(), 'a need is chosen');
      await region.getByRole('button', { name: 'Verifica' }).click();
      await region.getByText(/^Non viene proposto: l'offerta non è rivolta a: ente per l'edilizia residenziale pubblica/).waitFor();
      // The matches are computed in the background after a fresh start:
      // who may receive it through a partner shows once they are.
      for (let i = 0; !(await region.getByText(/^Può comunque arrivarvi tramite/).isVisible()); i++) {
        assert.ok(i < 60, 'a partner route within two minutes');
        await page.waitForTimeout(2000);
        await region.getByRole('button', { name: 'Verifica' }).click();
        await page.waitForLoadState('networkidle');
      }
      await check(page, 'offer-why-not', width);
      await page.context().close();
    }
  });

  const mailDir = join(dataDir, 'mail');

  await test('a new visitor signs up, confirms the address from the e-mail and registers an organisation', async () => {
    const page = await open();
    const email = `nuova.socia.${Date.now()}@example.org`;
    const password = 'una frase lunga e facile';
    await page.goto(base + '/sign-in');
    await page.getByRole('link', { name: 'Crea un account' }).click();
    await page.getByRole('heading', { level: 1, name: 'Crea un account' }).waitFor();
    await page.getByLabel('Nome e cognome').fill('Sara Colombo');
    await page.getByLabel('Indirizzo e-mail').fill(email);
    // Too short a password: the API's message appears next to the field.
    await page.getByLabel('Password', { exact: false }).fill('corta');
    await page.getByRole('button', { name: 'Crea account' }).click();
    const passwordError = page.locator('#signup-password-error');
    await passwordError.waitFor();
    assert.equal(await page.getByLabel('Password', { exact: false }).getAttribute('aria-invalid'), 'true');
    await audit(page, 'sign-up with an error');
    await page.screenshot({ path: join(shots, 'journey-sign-up-error.png'), fullPage: true });
    await page.getByLabel('Password', { exact: false }).fill(password);
    await page.getByRole('button', { name: 'Crea account' }).click();
    await page.getByRole('heading', { level: 1, name: 'Controlla la tua e-mail' }).waitFor();
    await audit(page, 'sign-up sent');

    // The confirmation e-mail, from Trama's mail folder.
    const mail = await waitForMail(mailDir, email, (m) => m.text.includes('/account/verify'));
    const verify = linksIn(mail.html).find((l) => l.href.includes('/account/verify?token='));
    assert.ok(verify, 'the e-mail links to the verify page');
    assert.ok(verify.href.startsWith(base), `the link points at Trama: ${verify.href}`);
    const response = await page.goto(verify.href);
    assert.equal(response.status(), 200);
    await page.getByText(/Grazie, Sara Colombo: il tuo indirizzo è confermato/).waitFor();
    await audit(page, 'address confirmed');
    await page.screenshot({ path: join(shots, 'journey-verified.png'), fullPage: true });

    await page.getByRole('link', { name: 'Accedi e registra la tua organizzazione' }).click();
    await page.getByLabel('Email', { exact: false }).first().fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Accedi', exact: true }).click();
    await page.waitForURL(/\/organizations\/new$/);
    await page.getByRole('heading', { level: 1, name: 'Registra la tua organizzazione' }).waitFor();

    const name = `Orti Condivisi Barona ${Date.now() % 100000} APS`;
    await page.getByLabel("Nome dell'organizzazione").fill(name);
    await page.getByLabel('Forma giuridica').selectOption('APS');
    // A codice fiscale with a wrong check digit: refused by the API, shown next to the field.
    const good = taxCode();
    const bad = good.slice(0, 10) + ((Number(good[10]) + 1) % 10);
    await page.getByLabel('Codice fiscale').fill(bad);
    await page.getByLabel('Di che cosa vi occupate').fill('Orti condivisi e laboratori di giardinaggio per le famiglie del quartiere.');
    await page.getByLabel('Comune della sede').fill('Milano');
    await page.locator('#org-seat-options option[value="Milano (MI)"]').waitFor({ state: 'attached' });
    await page.getByLabel('Comune della sede').fill('Milano (MI)');
    await page.locator('.sector-choices label').first().click();
    await page.getByRole('button', { name: "Registra l'organizzazione" }).click();
    await page.locator('#org-taxcode-error').waitFor();
    assert.equal(await page.getByLabel('Codice fiscale').getAttribute('aria-invalid'), 'true');
    await audit(page, 'organisation form with an error');
    await page.screenshot({ path: join(shots, 'journey-organization-error.png'), fullPage: true });
    await page.getByLabel('Codice fiscale').fill(good);
    await page.getByRole('button', { name: "Registra l'organizzazione" }).click();
    await page.waitForURL(/\/organizations\/[0-9a-f-]{36}$/);
    await page.getByRole('heading', { level: 1, name }).waitFor();
    await page.getByText("Fatto: l'organizzazione è registrata").waitFor();
    await page.getByText('Sei amministratore o amministratrice di questa organizzazione.').waitFor();
    await audit(page, 'registered organisation');
    await page.screenshot({ path: join(shots, 'journey-organization-registered.png'), fullPage: true });
    assert.deepEqual(page.foreign, []);
    await page.context().close();
  });

  await test("every link of a digest e-mail opens the right page", async () => {
    // The demo's ALER officer has matches: send her digest now, beside the server.
    await promisify(execFile)(bin, ['digests', 'send', '--user', 'aler@example.org'], {
      env: { ...process.env, TRAMA_DATA_DIR: dataDir, TRAMA_PUBLIC_URL: base, TRAMA_LOG: 'warn' },
      timeout: 180_000,
    });
    const mail = await waitForMail(mailDir, 'aler@example.org', (m) => m.html.includes('/digests/unsubscribe'));
    // Each address once, with the text of its first link: a section's
    // heading names the posting, its "Li trovi tutti" line links there too.
    const links = [];
    for (const link of linksIn(mail.html)) {
      if (!links.some((l) => l.href === link.href)) links.push(link);
    }
    assert.ok(links.length > 5, `the digest has links (${links.length})`);
    const seeAll = linksIn(mail.html).filter((l) => l.text.startsWith('Li trovi tutti nella pagina'));
    assert.ok(seeAll.length > 0, 'the demo digest counts more matches than a section lists');
    for (const { href } of seeAll) {
      const heading = links.find((l) => l.href === href);
      assert.ok(heading && !heading.text.startsWith('Li trovi tutti'), `"Li trovi tutti" links to a section's posting: ${href}`);
    }
    const page = await open(390);
    await signInWith(page, 'aler@example.org', 'trama-demo-2026');
    const seen = new Set();
    for (const { href, text } of links) {
      assert.ok(href.startsWith(base + '/'), `a link to Trama: ${href}`);
      const url = new URL(href);
      const response = await page.goto(href);
      assert.equal(response.status(), 200, `status of ${href}`);
      const h1 = page.locator('h1').first();
      await h1.waitFor();
      const kind = url.pathname.split('/')[1];
      if (kind === 'needs' || kind === 'offers') {
        // The record's own page, titled as the e-mail said.
        await page.getByRole('heading', { level: 1, name: text, exact: true }).waitFor();
      } else if (url.pathname === '/account/digest') {
        await page.getByRole('heading', { level: 1, name: 'Riepilogo via e-mail' }).waitFor();
        await page.getByLabel('Una volta alla settimana').waitFor();
      } else if (url.pathname === '/digests/feedback') {
        // Opening records nothing: the page asks to confirm with a button.
        const title = await h1.textContent();
        assert.match(title, /pertinente/, href);
        assert.equal(/non pertinente/.test(title), url.searchParams.get('verdict') === 'not_relevant', `the verdict of ${href}`);
        assert.equal(await page.locator('form[method="post" i] button').count(), 1, `a button on ${href}`);
      } else if (url.pathname === '/digests/unsubscribe') {
        assert.equal(await page.locator('form[method="post" i] button').count(), 1, `a button on ${href}`);
      } else {
        assert.fail(`a link the test does not know: ${href}`);
      }
      assert.equal(await page.locator('.alert-danger').count(), 0, `no error on ${href}`);
      // Each kind of page once through axe and the camera.
      const key = kind === 'needs' || kind === 'offers' ? kind : url.pathname.slice(1).replaceAll('/', '-');
      if (!seen.has(key)) {
        seen.add(key);
        await audit(page, `${url.pathname} from the digest at 390 px`);
        await page.screenshot({ path: join(shots, `digest-link-${key}.png`) });
      }
    }
    assert.deepEqual(page.foreign, []);
    await page.context().close();
  });

  /** A GraphQL request, as someone (bearer token) or anonymously. */
  async function gql(query, variables = {}, token) {
    const r = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = await r.json();
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  }

  await test('an admin approves a request to join from its e-mail, and a moderator opens the queue', async () => {
    // A confirmed newcomer (signed up through the API: the browser journey is test 4).
    const email = `volontario.${Date.now()}@example.org`;
    const password = 'una frase lunga e facile';
    await gql('mutation($e:String!,$p:String!){register(email:$e,displayName:"Marco Rota",password:$p){id}}', { e: email, p: password });
    const confirm = await waitForMail(mailDir, email, (m) => m.text.includes('/account/verify'));
    const token = new URL(linksIn(confirm.html).find((l) => l.href.includes('/account/verify')).href).searchParams.get('token');
    await gql('mutation($t:String!){verifyEmail(token:$t){id}}', { t: token });
    const coop = (await gql('{search(query:"Portinerie di Comunità",filter:{types:[ORGANIZATION]},first:1){nodes{id organization{name}}}}')).search.nodes[0];

    const newcomer = await open();
    await signInWith(newcomer, email, password, `/organizations/${coop.id}`);
    await newcomer.getByRole('heading', { level: 1, name: coop.organization.name }).waitFor();
    await newcomer.getByLabel('Messaggio per chi decide (facoltativo)').fill('Coordino i volontari del cortile di via Padova.');
    await newcomer.getByRole('button', { name: 'Chiedi di entrare' }).click();
    await newcomer.getByText(/Richiesta inviata/).waitFor();
    await audit(newcomer, 'request sent');

    // The admin follows the e-mail's link, at phone width.
    const mail = await waitForMail(mailDir, 'cooperativa@example.org', (m) => m.text.includes('/requests'));
    const link = linksIn(mail.html).find((l) => l.href.endsWith(`/organizations/${coop.id}/requests`));
    assert.ok(link, 'the e-mail links to the requests page');
    const admin = await open(390);
    await signInWith(admin, 'cooperativa@example.org', 'trama-demo-2026', new URL(link.href).pathname);
    await admin.getByRole('heading', { level: 1, name: `Richieste per ${coop.organization.name}` }).waitFor();
    await admin.getByText('Coordino i volontari del cortile di via Padova.').waitFor();
    await audit(admin, 'requests page at 390 px');
    await admin.screenshot({ path: join(shots, 'organization-requests-390.png'), fullPage: true });
    await admin.getByRole('button', { name: 'Approva Marco Rota' }).click();
    await admin.getByText('Approvata').waitFor();
    await admin.getByRole('link', { name: 'Persone e inviti' }).click();
    await admin.getByRole('button', { name: 'Togli Marco Rota' }).waitFor();
    // An invitation waits in the list until it is revoked.
    const guest = `ospite.${Date.now()}@example.org`;
    await admin.getByLabel('Indirizzo e-mail').fill(guest);
    await admin.getByRole('button', { name: "Invia l'invito" }).click();
    const revoke = admin.getByRole('button', { name: `Revoca l’invito ${guest}` });
    await revoke.waitFor();
    await audit(admin, 'members page with a pending invitation at 390 px');
    await admin.screenshot({ path: join(shots, 'organization-invitations-390.png'), fullPage: true });
    await revoke.click();
    await admin.getByText(`Invito a ${guest} revocato`).waitFor();
    // The list reloads after the confirmation: wait for the row to go.
    await revoke.waitFor({ state: 'detached' });
    await audit(admin, 'members page at 390 px');
    await admin.screenshot({ path: join(shots, 'organization-members-390.png'), fullPage: true });
    const told = await waitForMail(mailDir, email, (m) => /Ora fai parte/.test(m.subject));
    assert.ok(told);

    const moderator = await open();
    await signInWith(moderator, 'moderatore@example.org', 'trama-demo-2026', '/moderation');
    await moderator.getByRole('heading', { level: 1, name: 'Moderazione' }).waitFor();
    await moderator.getByRole('heading', { level: 2, name: /organizzazion[ei] da verificare/ }).waitFor();
    await audit(moderator, 'moderation queue');
    await moderator.screenshot({ path: join(shots, 'moderation.png') });
    for (const page of [newcomer, admin, moderator]) {
      assert.deepEqual(page.foreign, []);
      await page.context().close();
    }
  });

  await test('a signed-in officer saves a search from the results and changes her digest', async () => {
    const page = await open();
    await signInWith(page, 'comune@example.org', 'trama-demo-2026', '/search?q=orti&type=NEED');
    await page.getByRole('button', { name: 'Salva questa ricerca' }).click();
    await page.getByLabel('Nome della ricerca').fill('Orti nei quartieri');
    await page.getByRole('button', { name: 'Salva', exact: true }).click();
    await page.getByText('Ricerca «Orti nei quartieri» salvata.').waitFor();
    await page.getByRole('link', { name: 'Gestisci le ricerche salvate' }).click();
    await page.getByRole('heading', { level: 1, name: 'Riepilogo via e-mail' }).waitFor();
    const saved = page.getByRole('link', { name: 'Orti nei quartieri' });
    await saved.waitFor();
    assert.equal(new URL(await saved.getAttribute('href'), base).search, '?q=orti&type=NEED');
    await page.locator('label[for="digest-frequency-DAILY"]').click();
    await page.getByRole('button', { name: 'Salva', exact: true }).click();
    await page.getByText('Impostazioni salvate.').waitFor();
    await audit(page, 'digest settings');
    await page.screenshot({ path: join(shots, 'digest-settings.png'), fullPage: true });
    await page.reload();
    assert.equal(await page.locator('#digest-frequency-DAILY').isChecked(), true);
    await saved.click();
    await page.getByRole('heading', { level: 1, name: /orti/ }).waitFor();
    assert.match(page.url(), /type=NEED/);
    assert.deepEqual(page.foreign, []);
    await page.context().close();
  });

  await test('GraphiQL is served by Trama, without a CDN', async () => {
    const page = await open();
    await page.goto(base + '/graphql');
    await page.locator('.graphiql-container').waitFor();
    assert.deepEqual(page.foreign, []);
    await page.context().close();
  });

  await test('live: the results announce a new need, and its page follows it as it closes', async () => {
    const word = `serra${Date.now() % 100000}`;
    const page = await open();
    await page.goto(`${base}/search?q=${word}`);
    await page.getByRole('heading', { level: 1, name: new RegExp(word) }).waitFor();
    await page.locator('#results-title').waitFor();
    // The municipal officer publishes a need with that word, through the API.
    const { login } = await gql('mutation{login(email:"comune@example.org",password:"trama-demo-2026"){token user{memberships{organization{id}}}}}');
    const organizationId = login.user.memberships[0].organization.id;
    const created = await gql(
      'mutation($o:ID!,$i:NeedInput!){createNeed(organizationId:$o,input:$i){id}}',
      {
        o: organizationId,
        i: { kind: 'SPACE_REGENERATION', title: `Una ${word} condivisa al Giambellino`, description: `Cerchiamo chi curi una ${word} di quartiere con le scuole.`, municipalityCode: '015146' },
      },
      login.token,
    );
    // Announced politely, not swapped in.
    const notice = page.locator('.live-notice');
    await notice.getByText('1 nuovo risultato da quando hai aperto la pagina').waitFor({ timeout: 30_000 });
    assert.equal(await notice.getAttribute('aria-live'), 'polite');
    await audit(page, 'search with the live notice');
    await page.screenshot({ path: join(shots, 'search-live-1280.png') });
    await notice.getByRole('button', { name: 'Aggiorna i risultati' }).click();
    await page.locator('.result h3 a', { hasText: word }).click();
    await page.getByRole('heading', { level: 1, name: new RegExp(word) }).waitFor();
    assert.match(await page.locator('article p.text-muted').first().textContent(), /aperto/);
    // Closed elsewhere: the open page shows it without a reload.
    await gql('mutation($id:ID!){closeNeed(id:$id){id}}', { id: created.createNeed.id }, login.token);
    await page.locator('article p.text-muted', { hasText: 'chiuso' }).first().waitFor({ timeout: 30_000 });
    assert.deepEqual(page.foreign, []);
    await page.context().close();
  });

  await test('a signed-in person reports a need; a moderator hides it and it leaves search', async () => {
    const title = 'Ciclofficina sociale: cerchiamo uno spazio a Quarto Oggiaro';
    const found = async () =>
      (await gql('{search(query:"ciclofficina Quarto Oggiaro",filter:{types:[NEED]},first:10){nodes{id need{title}}}}')).search.nodes.find(
        (n) => n.need?.title === title,
      );
    const need = await found();
    assert.ok(need, 'the demo need is found');

    // The report, from the need's page, at phone width.
    const reporter = await open(390);
    await signInWith(reporter, 'fondazione@example.org', 'trama-demo-2026', `/needs/${need.id}`);
    await reporter.getByRole('heading', { level: 1, name: title }).waitFor();
    await reporter.getByRole('button', { name: /^Segnala/ }).click();
    const dialog = reporter.getByRole('dialog', { name: 'Segnala un contenuto' });
    await dialog.waitFor();
    // No reason: the dialog says so next to the field.
    await dialog.getByRole('button', { name: 'Invia la segnalazione' }).click();
    await dialog.locator('.invalid-feedback').waitFor();
    assert.equal(await dialog.getByLabel(/Motivo della segnalazione/).getAttribute('aria-invalid'), 'true');
    await audit(reporter, 'report dialog with an error at 390 px');
    await reporter.screenshot({ path: join(shots, 'report-dialog-390.png') });
    await dialog.getByLabel(/Motivo della segnalazione/).fill('Annuncio doppio: lo stesso spazio è chiesto anche altrove.');
    await dialog.getByRole('button', { name: 'Invia la segnalazione' }).click();
    await reporter.getByText(/Grazie: la segnalazione è arrivata/).waitFor();

    // The moderator reads it in the queue and hides the need, with a reason.
    const moderator = await open();
    await signInWith(moderator, 'moderatore@example.org', 'trama-demo-2026', '/moderation');
    const card = moderator.locator('section[aria-labelledby="moderation-reports"] article', { hasText: title });
    await card.getByText('Annuncio doppio: lo stesso spazio è chiesto anche altrove.').waitFor();
    assert.match(await card.textContent(), /segnalato da .+ il /);
    await audit(moderator, 'moderation queue with a report');
    await moderator.screenshot({ path: join(shots, 'moderation-reports-1280.png'), fullPage: true });
    await card.getByLabel('Motivo', { exact: true }).fill('Bisogno duplicato');
    await card.getByRole('button', { name: `Nascondi ${title}` }).click();
    const hidden = moderator.locator('section[aria-labelledby="moderation-hidden"] li', { hasText: title });
    await hidden.getByText(/Motivo: Bisogno duplicato/).waitFor();
    assert.equal(await card.count(), 0, 'the report left the queue');
    await audit(moderator, 'moderation queue with a hidden need');

    // Gone for everyone else: search (once the index has it) and the page.
    for (let i = 0; (await found()) !== undefined; i++) {
      assert.ok(i < 40, 'the hidden need leaves search within 20 s');
      await new Promise((ok) => setTimeout(ok, 500));
    }
    const visitor = await open();
    await visitor.goto(`${base}/needs/${need.id}`);
    await visitor.locator('h1').first().waitFor();
    assert.notEqual(await visitor.locator('h1').first().textContent(), title);
    for (const page of [reporter, moderator, visitor]) {
      assert.deepEqual(page.foreign, []);
      await page.context().close();
    }
  });

  /** Audits, checks and photographs the page at the desktop width and at a phone's, then goes back. */
  async function checkBoth(page, name) {
    await check(page, name, 1280);
    await page.setViewportSize({ width: 390, height: 900 });
    try {
      await check(page, name, 390);
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  }

  /** The text a PDF shows: its content streams' strings, in the order written (Latin-1, as Trama writes them). */
  function pdfText(bytes) {
    const raw = bytes.toString('latin1');
    const strings = [];
    for (const [, body] of raw.matchAll(/stream\r?\n([\s\S]*?)endstream/g)) {
      let content;
      try {
        content = inflateSync(Buffer.from(body, 'latin1')).toString('latin1');
      } catch {
        continue;
      }
      for (const [, s] of content.matchAll(/\(((?:\\.|[^\\()]|\((?:\\.|[^\\()])*\))*)\)\s*Tj/g)) strings.push(s.replace(/\\(.)/g, '$1'));
    }
    return strings.join(' ').replace(/\s+/g, ' ');
  }

  /** A demo need of ALER, once the index has it. */
  async function demoNeed(query, title) {
    for (let i = 0; ; i++) {
      const found = await gql('query($q:String!){search(query:$q,filter:{types:[NEED]},first:10){nodes{need{id title}}}}', { q: query });
      const need = found.search.nodes.map((n) => n.need).find((n) => n?.title === title);
      if (need) return need;
      assert.ok(i < 120, `the demo need «${title}» is indexed within four minutes`);
      await new Promise((ok) => setTimeout(ok, 2000));
    }
  }

  // The Lorenteggio story (seed 000), on the need that the demo leaves open.
  const lorenteggioNeedTitle = 'Cortile e androni di via Segneri 3 al Lorenteggio: cerchiamo chi formi gli inquilini a prendersene cura';
  let lorenteggioNeedUrl;

  await test('co-design: ALER and the Lorenteggio ONLUS meet on a match, reach a signed pact and download its PDF', async () => {
    const onlusName = 'Ripuliamo il Quartiere ONLUS';
    const offerTitle = 'Formazione degli inquilini per la cura di cortili e spazi comuni';
    const needTitle = lorenteggioNeedTitle;
    const need = await demoNeed('cortile androni Segneri Lorenteggio', needTitle);
    lorenteggioNeedUrl = `${base}/needs/${need.id}`;

    // ALER's officer finds the ONLUS's offer among the matches of its need
    // (the server matches the demo in the background: the page looks again).
    const aler = await open();
    await signIn(aler, 'aler@example.org');
    await aler.goto(lorenteggioNeedUrl);
    await aler.getByRole('heading', { level: 1, name: needTitle }).waitFor();
    const alerCard = aler.locator('.match-card', { hasText: offerTitle }).first();
    for (let i = 0; ; i++) {
      // The matches load after the heading, in a request of their own:
      // wait for the card a while rather than look the instant the heading
      // shows (on a slow machine that instant always comes first).
      if (await alerCard.waitFor({ timeout: 5000 }).then(() => true, () => false)) break;
      // What the page shows instead, if it comes to that: an error, "still
      // looking", or other offers.
      if (i >= 36) {
        const shown = await aler.locator('.member-section').textContent({ timeout: 5000 }).catch(() => '(no matches section)');
        assert.fail(`the ONLUS is proposed for the need within three minutes; the page shows: ${shown?.replace(/\s+/g, ' ').slice(0, 1500)}`);
      }
      await aler.reload();
      await aler.getByRole('heading', { level: 1, name: needTitle }).waitFor();
    }
    assert.match(await alerCard.locator('.match-kind').textContent(), new RegExp(onlusName));
    assert.match(await alerCard.locator('.match-reasons').textContent(), /Tipo di contributo.*competenze/s);
    await alerCard.getByRole('button', { name: /^Ci interessa/ }).click();
    await alerCard.locator('.match-status', { hasText: 'Voi: interessati' }).waitFor();
    // ALER writes first, in the match's conversation.
    await alerCard.getByRole('button', { name: /^Scrivi all'altra parte/ }).click();
    const alerTalk = alerCard.locator('.conversation');
    await alerTalk.getByLabel(/Il tuo messaggio/).fill(
      'Buongiorno, per il cortile di via Segneri 3 ALER fornisce vernici e materiali. Potete formare gli inquilini? Proponiamo un sopralluogo martedì alle 10.',
    );
    await alerTalk.getByRole('button', { name: 'Invia il messaggio' }).click();
    await alerTalk.getByText('Messaggio inviato.').waitFor();
    await checkBoth(aler, 'lorenteggio-need-match');

    // The ONLUS's coordinator signs in from the demo accounts listed on the
    // sign-in page, finds ALER's interest on her dashboard, reads the
    // message, answers and is interested too.
    const onlus = await open();
    await onlus.goto(base + '/sign-in');
    const demoRow = onlus.getByRole('row', { name: /onlus@example\.org/ });
    assert.match(await demoRow.textContent(), /Coordinatrice di una ONLUS\s*Ripuliamo il Quartiere ONLUS/);
    await demoRow.getByRole('button', { name: /Usa onlus@example.org/ }).click();
    await onlus.getByRole('button', { name: 'Accedi', exact: true }).click();
    await onlus.waitForURL(/\/account$/);
    const onlusCard = onlus.locator('.match-card', { hasText: needTitle }).filter({ hasText: offerTitle }).first();
    await onlusCard.waitFor({ timeout: 60_000 });
    assert.match(await onlusCard.textContent(), /Chi ha il bisogno: interessati/);
    await onlusCard.getByRole('button', { name: /^Ci interessa/ }).click();
    await onlusCard.locator('.match-status', { hasText: 'Voi: interessati' }).waitFor();
    await onlusCard.getByRole('button', { name: /^Scrivi all'altra parte/ }).click();
    const onlusTalk = onlusCard.locator('.conversation');
    await onlusTalk.getByText(/sopralluogo martedì/).waitFor();
    await onlusTalk.getByLabel(/Il tuo messaggio/).fill('Volentieri: martedì alle 10 portiamo il piano delle giornate e il materiale per la formazione.');
    await onlusTalk.getByRole('button', { name: 'Invia il messaggio' }).click();
    await onlusTalk.getByText(/portiamo il piano delle giornate/).waitFor();
    await checkBoth(onlus, 'lorenteggio-dashboard-match');
    // The ONLUS proposes the co-design; it waits for ALER's consent.
    await onlusCard.getByRole('button', { name: /^Proponi la co-progettazione/ }).click();
    await onlusCard.locator('.match-status', { hasText: 'Co-progettazione proposta: si attende chi ha il bisogno' }).waitFor();
    assert.equal(await onlusCard.getByRole('link', { name: 'Apri il progetto' }).count(), 0, 'no project on one side’s word');

    // ALER consents: the project opens, with the ONLUS as a partner.
    await aler.reload();
    const consent = aler.locator('.match-card', { hasText: offerTitle }).first();
    await consent.locator('.match-status', { hasText: 'Chi offre: propone la co-progettazione' }).waitFor();
    await consent.getByRole('button', { name: /^Proponi la co-progettazione/ }).click();
    await consent.locator('.match-status', { hasText: 'Co-progettazione avviata' }).waitFor();
    await consent.getByRole('link', { name: 'Apri il progetto' }).click();
    await aler.waitForURL(/\/projects\/[0-9a-f-]+$/);
    const projectUrl = aler.url();
    const projectId = projectUrl.split('/').pop();
    await aler.getByRole('heading', { level: 1, name: needTitle }).waitFor();
    assert.equal(await aler.locator('.project-stepper [aria-current="step"]').textContent(), '1Proposta (fase attuale)');
    const partners = await aler.locator('section[aria-labelledby="project-partners"]').textContent();
    assert.match(partners, /ALER Milano\s*Capofila/);
    assert.match(partners, new RegExp(`${onlusName}\\s*Partner`));
    // The ONLUS's offer is there already, as what it proposes to bring.
    assert.match(await aler.locator('section[aria-labelledby="project-contributions"]').textContent(), new RegExp(offerTitle));
    await checkBoth(aler, 'lorenteggio-project-opened');

    // The ONLUS opens the workspace from its match.
    await onlus.reload();
    await onlus.locator('.match-card', { hasText: needTitle }).filter({ hasText: offerTitle }).first().getByRole('link', { name: 'Apri il progetto' }).click();
    await onlus.getByRole('heading', { level: 1, name: needTitle }).waitFor();
    assert.equal(onlus.url(), projectUrl);

    // Each brings something: the ONLUS its know-how, ALER the paint.
    const contribute = async (page, kind, description, fields) => {
      await page.getByLabel('Tipo di contributo').selectOption(kind);
      await page.getByLabel('Che cosa portate').fill(description);
      for (const [label, value] of Object.entries(fields)) await page.getByLabel(label, { exact: true }).fill(value);
      await page.getByRole('button', { name: 'Aggiungi il contributo' }).click();
      await page.getByText('Contributo aggiunto.').waitFor();
    };
    // A contribution without a description: the API's message sits next to the field.
    await onlus.getByLabel('Tipo di contributo').selectOption('COMPETENCE');
    await onlus.getByRole('button', { name: 'Aggiungi il contributo' }).click();
    await onlus.locator('#contrib-new-description-error').waitFor();
    assert.equal(await onlus.getByLabel('Che cosa portate').getAttribute('aria-invalid'), 'true');
    await checkBoth(onlus, 'project-contribution-error');
    // A quantity that is not a number: the form says so and keeps what was typed.
    await onlus.getByLabel('Che cosa portate').fill('Formazione degli inquilini');
    await onlus.getByLabel('Quantità', { exact: true }).fill('molte');
    await onlus.getByRole('button', { name: 'Aggiungi il contributo' }).click();
    assert.match(await onlus.locator('#contrib-new-quantity-error').textContent(), /Scrivi un numero/);
    assert.equal(await onlus.getByLabel('Che cosa portate').inputValue(), 'Formazione degli inquilini');
    await contribute(onlus, 'COMPETENCE', 'Tre giornate di lavoro guidate e la formazione di dieci inquilini', { 'Quantità': '24', 'Unità': 'ore' });
    await aler.reload();
    await contribute(aler, 'MATERIALS', 'Vernici per esterni, rulli, pennelli e sacchi per il cortile', { 'Quantità': '60', 'Unità': 'litri' });
    const contributions = await aler.locator('section[aria-labelledby="project-contributions"]').textContent();
    assert.match(contributions, /Tre giornate di lavoro guidate.*24 ore/s);
    assert.match(contributions, /Vernici per esterni.*60 litri/s);
    // ALER corrects its own contribution: the form opens with what was there.
    await aler.getByRole('button', { name: /^Modifica\s*: Vernici per esterni/ }).click();
    const editForm = aler.locator('form', { has: aler.getByRole('heading', { name: 'Modifica il contributo' }) });
    assert.equal(await editForm.getByLabel('Quantità', { exact: true }).inputValue(), '60');
    await editForm.getByLabel('Quantità', { exact: true }).fill('80');
    await editForm.getByRole('button', { name: 'Salva' }).click();
    await aler.getByText('Contributo aggiornato.').waitFor();
    assert.match(await aler.locator('section[aria-labelledby="project-contributions"]').textContent(), /Vernici per esterni.*80 litri/s);
    await checkBoth(aler, 'lorenteggio-project-contributions');

    // ALER (a public body) takes the pact through the review to the table.
    await aler.getByRole('button', { name: 'Passa a: Istruttoria' }).click();
    await aler.getByText('Il progetto è passato alla fase «Istruttoria».').waitFor();
    await aler.getByRole('button', { name: 'Passa a: Tavolo di co-progettazione' }).click();
    await aler.getByText('Il progetto è passato alla fase «Tavolo di co-progettazione».').waitFor();
    // Signing waits for the text and everyone's approval, and says so.
    const blocked = aler.locator('.next-steps li', { hasText: 'Passa a: Firmato' });
    assert.match(await blocked.textContent(), /Non ancora: /);

    // ALER writes the text and approves version 1.
    const firstText =
      'ALER Milano e Ripuliamo il Quartiere ONLUS si impegnano a curare il cortile e gli androni del caseggiato di via Segneri 3, con gli inquilini.\n' +
      'ALER fornisce vernici e materiali; la ONLUS organizza tre giornate di lavoro e forma gli inquilini.';
    await aler.getByLabel('Testo del patto').fill(firstText);
    await aler.getByRole('button', { name: 'Salva come nuova versione' }).click();
    await aler.getByText('Nuova versione salvata').waitFor();
    await aler.getByRole('button', { name: 'Approva la versione 1' }).click();
    await aler.getByText('Versione 1 approvata.').waitFor();
    await checkBoth(aler, 'project-agreement');
    // (The page also follows projectActivity over graphql-ws: reload, as a
    // person coming back to it would.)
    await onlus.reload();
    await onlus.locator('.approvals li', { hasText: /ALER Milano: approvata da .+ il / }).waitFor();
    // The ONLUS changes the text: a version 2, and ALER's approval no longer counts.
    await onlus.getByLabel('Testo del patto').fill(
      `${firstText}\nAlla fine la ONLUS lascia agli inquilini un calendario di manutenzione del cortile.`,
    );
    await onlus.getByRole('button', { name: 'Salva come nuova versione' }).click();
    await onlus.getByText('Nuova versione salvata').waitFor();
    await onlus.getByRole('heading', { level: 3, name: /Versione 2 \(in discussione\)/ }).waitFor();
    await onlus.locator('.approvals li', { hasText: 'ALER Milano: non ancora approvata' }).waitFor();
    assert.match(await onlus.locator('.agreement-changed').textContent(), /versione 1: le approvazioni date prima non valgono più/);
    await onlus.getByRole('button', { name: 'Approva la versione 2' }).click();
    await onlus.getByText('Versione 2 approvata.').waitFor();
    await checkBoth(onlus, 'project-agreement-changed');
    // ALER reads the change and approves the same version.
    await aler.reload();
    await aler.locator('.approvals li', { hasText: 'ALER Milano: non ancora approvata' }).waitFor();
    assert.match(await aler.locator('.agreement-text').first().textContent(), /calendario di manutenzione/);
    await aler.getByRole('button', { name: 'Approva la versione 2' }).click();
    await aler.getByText('Versione 2 approvata.').waitFor();

    // ALER signs: version 2 is frozen with its hash.
    await aler.getByRole('button', { name: 'Passa a: Firmato' }).click();
    await aler.getByText(/Patto firmato il .* \(versione 2\)\./).waitFor();
    assert.match(await aler.locator('code.hash').textContent(), /^[0-9a-f]{64}$/);
    await checkBoth(aler, 'project-signed');

    // The PDF, as the page fetches it (with the session's token).
    const pdf = await aler.evaluate(async (id) => {
      const r = await fetch(`/projects/${id}/pact.pdf?lang=it`, { headers: { Authorization: `Bearer ${localStorage.getItem('trama.token')}` } });
      const bytes = new Uint8Array(await r.arrayBuffer());
      return { status: r.status, type: r.headers.get('content-type') ?? '', head: String.fromCharCode(...bytes.slice(0, 5)), size: bytes.length };
    }, projectId);
    assert.equal(pdf.status, 200, 'the pact PDF downloads');
    assert.match(pdf.type, /^application\/pdf/);
    assert.equal(pdf.head, '%PDF-');
    assert.ok(pdf.size > 1_000 && pdf.size < 1_000_000, `a pact's PDF of ${pdf.size} bytes`);
    const [download] = await Promise.all([
      aler.waitForEvent('download'),
      aler.getByRole('button', { name: 'Scarica il patto firmato (PDF)' }).click(),
    ]);
    assert.match(download.suggestedFilename(), /^patto-cortile-e-androni.*\.pdf$/);
    const saved = readFileSync(await download.path());
    assert.equal(saved.subarray(0, 5).toString('latin1'), '%PDF-');
    assert.equal(saved.length, pdf.size, 'the button saves the same PDF');
    // Its text: the parties, the place and the signed version (the one ALER approved last).
    const text = pdfText(saved);
    for (const words of [onlusName, 'ALER Milano', 'via Segneri 3', 'Versione 2', 'calendario di manutenzione', 'Vernici per esterni'])
      assert.ok(text.includes(words), `the pact's PDF says «${words}»: ${text.slice(0, 400)}`);

    // Delivery: a milestone, done; then each partner reports and ALER closes.
    await aler.getByRole('button', { name: 'Passa a: In corso' }).click();
    await aler.getByText('Il progetto è passato alla fase «In corso».').waitFor();
    await aler.getByLabel('Che cosa va fatto').fill('Prima giornata di lavoro nel cortile');
    await aler.getByLabel('Chi se ne occupa').selectOption({ label: onlusName });
    await aler.getByLabel('Entro il').fill(`${new Date().getFullYear() + 1}-03-31`);
    await aler.getByRole('button', { name: 'Aggiungi la scadenza' }).click();
    await aler.getByText('Scadenza aggiunta.').waitFor();
    await aler.getByRole('button', { name: /^Segna come fatta/ }).click();
    await aler.getByText('«Prima giornata di lavoro nel cortile» segnata come fatta.').waitFor();
    await aler.getByRole('button', { name: 'Passa a: Rendicontazione' }).click();
    await aler.getByText('Il progetto è passato alla fase «Rendicontazione».').waitFor();
    const report = async (page, name, people, hours, euro, summary) => {
      const form = page.locator('form', { has: page.getByRole('heading', { name: `Rendiconto di ${name}` }) });
      await form.getByLabel('Persone raggiunte').fill(people);
      await form.getByLabel('Ore di volontariato').fill(hours);
      await form.getByLabel('Euro spesi').fill(euro);
      await form.getByLabel('In breve, che cosa è stato fatto').fill(summary);
      await form.getByRole('button', { name: 'Invia il rendiconto' }).click();
      await page.getByText('Rendiconto salvato.').waitFor();
    };
    await report(aler, 'ALER Milano', '0', '0', '1.200', 'Abbiamo fornito vernici e materiali per tre giornate di lavoro.');
    await onlus.reload();
    await report(onlus, onlusName, '40', '96', '0', 'Tre giornate nel cortile con quaranta inquilini; dieci sono formati per la manutenzione.');
    await aler.reload();
    await aler.getByRole('button', { name: 'Passa a: Concluso' }).click();
    await aler.getByRole('heading', { level: 2, name: 'Risultati' }).waitFor();
    const outcomes = await aler.locator('section[aria-labelledby="project-reports"]').textContent();
    assert.match(outcomes, /Persone raggiunte\s*40/);
    assert.match(outcomes, /Euro spesi\s*1\.200,00\s€/);
    await check(aler, 'project-closed', 1280);

    // The ONLUS sees the signed pact too, and the workspace fits a phone.
    const phone = await open(390);
    await signIn(phone, 'onlus@example.org');
    await phone.goto(projectUrl);
    await phone.getByRole('button', { name: 'Scarica il patto firmato (PDF)' }).waitFor();
    await check(phone, 'project-closed', 390);
    // In English too, the rules' sentences included (asked again in English).
    await phone.getByRole('button', { name: 'English' }).click();
    await phone.getByRole('button', { name: 'Download the signed pact (PDF)' }).waitFor();
    await phone.getByRole('heading', { level: 2, name: 'Outcomes' }).waitFor();
    await check(phone, 'project-closed-en', 390);
    for (const page of [aler, onlus, phone]) {
      assert.deepEqual(page.foreign, []);
      await page.context().close();
    }
  });

  await test('co-design: a co-operative declines an invitation, a foundation joins and leaves with its reason', async () => {
    const coopName = 'Portinerie di Comunità Società Cooperativa Sociale';
    const foundationName = 'Fondazione di Comunità Milano Sud';
    const needTitle = 'Mediazione sociale a Molise-Calvairate';
    const need = await demoNeed('mediazione sociale Molise Calvairate', needTitle);

    // ALER's officer opens a patto di collaborazione from the need's page.
    const aler = await open();
    await signIn(aler, 'aler@example.org');
    await aler.goto(`${base}/needs/${need.id}`);
    await aler.getByRole('heading', { level: 2, name: 'Avvia un progetto' }).waitFor();
    await check(aler, 'need-open-project', 1280);
    // The kit draws radios under their labels: people click the label.
    await aler.locator('label[for="procedure-PATTO_COLLABORAZIONE"]').click();
    await aler.getByRole('button', { name: 'Avvia il progetto' }).click();
    await aler.waitForURL(/\/projects\/[0-9a-f-]+$/);
    const projectUrl = aler.url();
    await aler.getByRole('heading', { level: 1, name: needTitle }).waitFor();

    // It invites the co-operative as a partner and the foundation as a funder, found by name.
    const invite = async (typed, name, role) => {
      await aler.getByLabel("Nome dell'organizzazione").fill(typed);
      await aler.locator('label[for^="invite-org-"]', { hasText: name }).click({ timeout: 30_000 });
      await aler.getByLabel('Ruolo nel progetto').selectOption(role);
      await aler.getByRole('button', { name: "Invia l'invito" }).click();
      await aler.getByText(`Invito inviato a ${name}`).waitFor();
    };
    await invite('Portinerie di Comunità', coopName, 'PARTNER');
    await invite('Fondazione di Comunità', foundationName, 'FUNDER');
    const invitations = await aler.locator('section[aria-labelledby="project-partners"]').textContent();
    assert.match(invitations, /Portinerie di Comunità .*, invitata come Partner/);
    assert.match(invitations, /Fondazione di Comunità Milano Sud, invitata come Finanziatore/);

    // The co-operative's admin declines from the dashboard.
    const coop = await open();
    await signIn(coop, 'cooperativa@example.org');
    const invitation = coop.locator('section[aria-labelledby="dashboard-projects"] li', { hasText: needTitle }).first();
    await invitation.waitFor();
    assert.match(await invitation.textContent(), /ALER Milano invita Portinerie di Comunità .* come Partner/);
    await check(coop, 'dashboard-project-invitation', 1280);
    await invitation.getByRole('button', { name: /^Rifiuta/ }).click();
    await coop.getByText(`Invito a «${needTitle}» rifiutato.`).waitFor();
    // The list follows: the invitation is gone.
    await coop.locator('section[aria-labelledby="dashboard-projects"] li', { hasText: needTitle }).first().waitFor({ state: 'detached' });

    // The foundation's officer accepts, opens the workspace, then leaves it
    // with a reason (asked for, not optional).
    const foundation = await open();
    await signIn(foundation, 'fondazione@example.org');
    const its = foundation.locator('section[aria-labelledby="dashboard-projects"] li', { hasText: needTitle }).first();
    await its.getByRole('button', { name: /^Accetta l'invito/ }).click();
    await foundation.getByText(`Invito accettato: ora siete partner di «${needTitle}».`).waitFor();
    await foundation.locator('section[aria-labelledby="dashboard-projects"]').getByRole('link', { name: needTitle }).click();
    await foundation.getByRole('heading', { level: 1, name: needTitle }).waitFor();
    await foundation.getByRole('button', { name: `Lascia il progetto (${foundationName})` }).click();
    await foundation.getByRole('button', { name: 'Lascia il progetto', exact: true }).click();
    await foundation.locator('[id$="-reason-error"]').getByText('Scrivi perché lasciate il progetto.').waitFor();
    await checkBoth(foundation, 'project-leave');
    const reason = 'Il nostro bando 2027 copre solo la zona sud di Milano: Molise-Calvairate ne resta fuori.';
    await foundation.getByLabel('Perché lasciate il progetto').fill(reason);
    await foundation.getByRole('button', { name: 'Lascia il progetto', exact: true }).click();
    await foundation.waitForURL(/\/account$/);
    await foundation.getByText(`Avete lasciato il progetto «${needTitle}».`).waitFor();
    assert.equal(await foundation.locator('section[aria-labelledby="dashboard-projects"]').getByRole('link', { name: needTitle }).count(), 0);
    await check(foundation, 'dashboard-project-left', 1280);

    // ALER's workspace: nobody invited any more, the foundation gone, and its reason in the conversation.
    await aler.goto(projectUrl);
    await aler.getByRole('heading', { level: 1, name: needTitle }).waitFor();
    const partners = await aler.locator('section[aria-labelledby="project-partners"]').textContent();
    assert.doesNotMatch(partners, /Fondazione di Comunità|Portinerie di Comunità/);
    await aler.locator('#project-conversation').getByText(`${foundationName} lascia il progetto. Motivo: ${reason}`).waitFor();
    await checkBoth(aler, 'project-partner-left');

    // The co-operative thinks again: invited once more, it accepts, and ALER
    // hands it the lead as they agreed, staying a partner.
    await invite('Portinerie di Comunità', coopName, 'PARTNER');
    await coop.goto(`${base}/account`);
    const again = coop.locator('section[aria-labelledby="dashboard-projects"] li', { hasText: needTitle }).first();
    await again.getByRole('button', { name: /^Accetta l'invito/ }).click();
    await coop.getByText(`Invito accettato: ora siete partner di «${needTitle}».`).waitFor();
    await aler.goto(projectUrl);
    await aler.getByText('Passa il ruolo di capofila a un altro partner').click();
    await aler.getByRole('button', { name: 'Passa il ruolo di capofila', exact: true }).click();
    await aler.locator('#lead-to-error').getByText('Scegli il partner che diventa capofila').waitFor();
    await aler.getByLabel('Nuovo capofila').selectOption({ label: coopName });
    await aler.getByRole('button', { name: 'Passa il ruolo di capofila', exact: true }).click();
    await aler.getByText(`${coopName} è ora il capofila del progetto.`).waitFor();
    const roles = await aler.locator('section[aria-labelledby="project-partners"] li').allTextContents();
    assert.ok(roles.some((r) => r.includes(coopName) && r.includes('Capofila')), roles.join(' | '));
    assert.ok(roles.some((r) => r.includes('ALER Milano') && r.includes('Partner')), roles.join(' | '));
    await checkBoth(aler, 'project-lead-handed-over');
    for (const page of [aler, coop, foundation]) {
      assert.deepEqual(page.foreign, []);
      await page.context().close();
    }
  });

  await test('co-design: the conversation of a match fits a phone', async () => {
    assert.ok(lorenteggioNeedUrl, 'the Lorenteggio need of the co-design test');
    const phone = await open(390);
    await signIn(phone, 'aler@example.org');
    await phone.goto(lorenteggioNeedUrl);
    const card = phone.locator('.match-card', { hasText: 'Formazione degli inquilini per la cura di cortili e spazi comuni' }).first();
    await card.getByRole('button', { name: /^Scrivi all'altra parte/ }).click();
    const talk = card.locator('.conversation');
    await talk.getByText(/portiamo il piano delle giornate/).waitFor();
    await talk.getByLabel(/Il tuo messaggio/).fill('Grazie a tutti: ci vediamo in cortile! Il calendario: https://www.aler.mi.it/patti-di-collaborazione-e-cittadinanza-attiva-lorenteggio-via-segneri-3');
    await talk.getByRole('button', { name: 'Invia il messaggio' }).click();
    await talk.getByText('Messaggio inviato.').waitFor();
    await check(phone, 'match-conversation', 390);
    assert.deepEqual(phone.foreign, []);
    await phone.context().close();
  });

  await test('art. 55: the Comune runs Quartieri Connessi (a co-operative applies; admission, scores, minutes, ranking) and publishes a new notice', async () => {
    const callTitle = 'Bando Quartieri Connessi: servizi per le comunità in nove quartieri ERP';
    const coopName = 'Portinerie di Comunità Società Cooperativa Sociale';
    const outsideName = 'Cooperativa di abitanti Niguarda Futura';
    const apsName = 'Ponti APS';
    // The municipal officer finds the demo call among her projects.
    const officer = await open();
    await signIn(officer, 'comune@example.org');
    await officer.locator('section[aria-labelledby="dashboard-projects"]').getByRole('link', { name: callTitle }).click();
    await officer.waitForURL(/\/projects\/[0-9a-f-]+$/);
    const projectUrl = officer.url();
    await officer.getByRole('heading', { level: 1, name: callTitle }).waitFor();
    await officer.getByRole('heading', { level: 2, name: 'Avviso pubblico' }).waitFor();
    const notice = officer.locator('section[aria-labelledby="project-notice"]');
    assert.match(await notice.textContent(), /Le candidature sono ancora aperte: sono passati i 20 giorni minimi/);
    assert.match(await notice.textContent(), /Qualità e innovatività del progetto/);
    await check(officer, 'art55-applications', 1280);

    // A co-operative's admin reads the public notice and applies: told first
    // that, registered in RUNTS, it may be a principal partner.
    // It finds the notice from the call's need.
    const callNeed = await demoNeed('Quartieri Connessi', callTitle);
    const coop = await open();
    await signIn(coop, 'cooperativa@example.org');
    await coop.goto(`${base}/needs/${callNeed.id}`);
    await coop.getByRole('heading', { level: 2, name: 'Avviso di co-progettazione aperto' }).waitFor();
    await check(coop, 'art55-need', 1280);
    await coop.getByRole('link', { name: "Leggi l'avviso e candidati" }).click();
    await coop.waitForURL(projectUrl);
    await coop.getByRole('heading', { level: 3, name: 'Candida la tua organizzazione' }).waitFor();
    const apply = coop.locator('form[aria-labelledby="apply-title"]');
    await apply.getByText(`${coopName} è un ente del Terzo settore iscritto al RUNTS: può essere ammesso come partner principale`, { exact: false }).waitFor();
    await coop.getByLabel('La vostra proposta').fill('Una portineria di comunità aperta sei giorni su sette: accoglienza, piccoli servizi agli anziani, inserimento lavorativo di due persone svantaggiate.');
    await check(coop, 'art55-apply', 1280);
    await coop.getByRole('button', { name: 'Invia la candidatura' }).click();
    await coop.getByText(`Candidatura di ${coopName} inviata.`).waitFor();
    await coop.locator('[role="group"]', { has: coop.getByRole('heading', { name: new RegExp(coopName) }) }).waitFor();
    assert.equal(await coop.getByRole('heading', { level: 3, name: 'Candida la tua organizzazione' }).count(), 0);
    await check(coop, 'art55-applied', 1280);

    // The officer closes applications (the 20 days have passed) and checks them.
    await officer.reload();
    await officer.getByRole('button', { name: 'Passa a: Verifica di ammissibilità' }).click();
    await officer.getByText('Il progetto è passato alla fase «Verifica di ammissibilità».').waitFor();
    const card = (name) => officer.locator('[role="group"]', { has: officer.getByRole('heading', { level: 3, name: new RegExp(name) }) });
    // The housing co-operative is no third-sector body in RUNTS: refused as a principal partner,
    // with the rule's reason, and admitted as a supporter.
    const outside = card(outsideName);
    assert.match(await outside.textContent(), /non risulta un ente del Terzo settore iscritto al RUNTS/);
    await outside.getByLabel('Ruolo nel progetto').selectOption('PARTNER');
    await outside.getByRole('button', { name: 'Ammetti', exact: true }).click();
    await outside.getByRole('alert').getByText(/devono essere enti del Terzo settore iscritti al RUNTS/).waitFor();
    await check(officer, 'art55-refused-principal', 1280);
    await outside.getByLabel('Ruolo nel progetto').selectOption('SUPPORTER');
    await outside.getByRole('button', { name: 'Ammetti', exact: true }).click();
    await officer.getByText(`${outsideName} ammessa come Sostenitore.`).waitFor();
    for (const name of [coopName, apsName]) {
      const c = card(name);
      assert.equal(await c.getByLabel('Ruolo nel progetto').inputValue(), 'PARTNER');
      await c.getByRole('button', { name: 'Ammetti', exact: true }).click();
      await officer.getByText(`${name} ammessa come Partner.`).waitFor();
    }
    const partners = await officer.locator('section[aria-labelledby="project-partners"]').textContent();
    for (const name of [coopName, apsName, outsideName]) assert.ok(partners.includes(name), `${name} among the partners`);
    await check(officer, 'art55-admitted', 1280);

    // Comparative evaluation: a score out of range is refused on its field.
    await officer.getByRole('button', { name: 'Passa a: Valutazione comparativa' }).click();
    await officer.getByText('Il progetto è passato alla fase «Valutazione comparativa».').waitFor();
    const score = async (name, points, message = `Punteggi di ${name} salvati.`) => {
      const c = card(name);
      const labels = ['Qualità e innovatività del progetto', 'Radicamento nel quartiere e rete locale', 'Formazione e inserimento lavorativo di persone svantaggiate'];
      for (const [i, label] of labels.entries()) await c.getByLabel(label).fill(points[i]);
      await c.getByRole('button', { name: 'Salva i punteggi' }).click();
      if (message) await officer.getByText(message).waitFor();
    };
    await score(coopName, ['12', '9', '8'], null);
    const tooHigh = card(coopName).locator('.invalid-feedback');
    await tooHigh.first().waitFor();
    assert.equal(await card(coopName).getByLabel('Qualità e innovatività del progetto').getAttribute('aria-invalid'), 'true');
    await score(coopName, ['9', '9', '8']);
    await score(apsName, ['7', '8', '5']);
    await score(outsideName, ['3', '6', '2']);
    // The ranking: the co-operative first; the ONLUS below the least total.
    const ranking = officer.locator('section[aria-labelledby="project-ranking"]');
    await ranking.getByRole('heading', { level: 2, name: 'Graduatoria' }).waitFor();
    const rows = await ranking.locator('tbody tr').allTextContents();
    assert.match(rows[0], new RegExp(`^1${coopName}53SìPartner998$`));
    assert.match(rows[1], new RegExp(`^2${apsName}42SìPartner785$`));
    assert.match(rows[2], new RegExp(`^3${outsideName}23NoSostenitore362$`));
    assert.match(await ranking.textContent(), /3 proposte valutate; 2 accedono al tavolo/);
    // The minutes of the evaluation, then the co-design table.
    const minutes = officer.locator('form', { has: officer.getByRole('heading', { name: 'Registra: Verbale della valutazione comparativa' }) });
    await minutes.getByLabel('Testo').fill('Il 4 dicembre la commissione ha valutato tre proposte con i criteri dell\'avviso.');
    await minutes.getByRole('button', { name: 'Registra' }).click();
    await officer.getByText('Verbale della valutazione comparativa registrato.').waitFor();
    await check(officer, 'art55-ranking', 1280);
    await officer.getByRole('button', { name: 'Passa a: Tavolo di co-progettazione' }).click();
    await officer.getByText('Il progetto è passato alla fase «Tavolo di co-progettazione».').waitFor();
    const table = officer.locator('form', { has: officer.getByRole('heading', { name: 'Registra: Verbale del tavolo di co-progettazione' }) });
    await table.getByLabel('Testo').fill('Al primo tavolo la cooperativa e Ponti APS hanno diviso gli orari della portineria di via Odazio.');
    await table.getByRole('button', { name: 'Registra' }).click();
    await officer.getByText('Verbale del tavolo di co-progettazione registrato.').waitFor();
    const records = await officer.locator('section[aria-labelledby="project-minutes"]').textContent();
    assert.match(records, /Verbale della valutazione comparativa.*Verbale del tavolo di co-progettazione/s);
    await check(officer, 'art55-table', 1280);
    // The outcome fits a phone.
    const phone = await open(390);
    await signIn(phone, 'comune@example.org');
    await phone.goto(projectUrl);
    await phone.getByRole('heading', { level: 2, name: 'Graduatoria' }).waitFor();
    await check(phone, 'art55-table', 390);
    // In English too.
    await phone.getByRole('button', { name: 'English' }).click();
    await phone.getByRole('heading', { level: 2, name: 'Ranking' }).waitFor();
    await phone.getByRole('heading', { level: 3, name: 'Record: Minutes of the co-design table' }).waitFor();
    assert.match(await phone.locator('section[aria-labelledby="project-notice"]').textContent(), /Applications are closed\./);
    await check(phone, 'art55-table-en', 390);
    await phone.getByRole('button', { name: 'Italiano' }).click();
    await phone.getByRole('heading', { level: 2, name: 'Graduatoria' }).waitFor();

    // A new notice: the officer opens an art. 55 project on another need of
    // the Comune, writes the notice (fewer than 20 days is refused on its
    // field) and publishes it.
    const need = await demoNeed('facilitazione digitale quartieri ERP', 'Facilitazione digitale nei quartieri ERP');
    await officer.goto(`${base}/needs/${need.id}`);
    await officer.locator('label[for="procedure-COPROGETTAZIONE"]').click();
    await officer.getByRole('button', { name: 'Avvia il progetto' }).click();
    await officer.waitForURL(/\/projects\/[0-9a-f-]+$/);
    await officer.getByRole('heading', { level: 3, name: "Scrivi l'avviso" }).waitFor();
    await check(officer, 'art55-notice-empty', 1280);
    await officer.getByLabel('Finalità').fill('Accesso assistito ai servizi digitali per gli inquilini ERP.');
    await officer.getByLabel('Oggetto').fill('Punti di facilitazione digitale nelle portinerie dei quartieri ERP.');
    await officer.getByLabel('Quadro economico').fill('Contributo PON Metro Asse 1 di 100.000 euro.');
    await officer.getByLabel('Durata').fill('24 mesi');
    await officer.getByLabel('Requisiti di partecipazione').fill('Enti del Terzo settore iscritti al RUNTS.');
    await officer.getByLabel('Nome del criterio 1').fill('Esperienza nella facilitazione digitale');
    await officer.getByLabel('Giorni di apertura delle candidature').fill('10');
    await officer.getByRole('button', { name: "Salva l'avviso" }).click();
    await officer.locator('#notice-minOpenDays-error').waitFor();
    assert.match(await officer.locator('.error-summary').textContent(), /Giorni di apertura delle candidature/);
    assert.equal(await officer.getByLabel('Giorni di apertura delle candidature').getAttribute('aria-invalid'), 'true');
    await check(officer, 'art55-notice-refused', 1280);
    await officer.getByLabel('Giorni di apertura delle candidature').fill('30');
    await officer.getByRole('button', { name: "Salva l'avviso" }).click();
    await officer.getByText("Avviso salvato. Quando è pronto, pubblicatelo.").waitFor();
    await officer.getByRole('button', { name: "Pubblica l'avviso e apri le candidature" }).click();
    await officer.getByText('Avviso pubblicato: le candidature sono aperte.').waitFor();
    assert.match(await officer.locator('section[aria-labelledby="project-notice"]').textContent(), /Le candidature restano aperte almeno 30 giorni: si chiudono non prima del/);
    assert.match(await officer.locator('p.text-muted').first().textContent(), /pubblico/);
    await check(officer, 'art55-notice-published', 1280);
    const phoneNotice = officer.url();
    await phone.goto(phoneNotice);
    await phone.getByRole('heading', { level: 2, name: 'Avviso pubblico' }).waitFor();
    await check(phone, 'art55-notice-published', 390);
    for (const page of [officer, coop, phone]) {
      assert.deepEqual(page.foreign, []);
      await page.context().close();
    }
  });

  // Last: it changes how ALER's lists are ordered.
  await test('an ALER officer dismisses a proposal as not relevant, and her other needs show it lower, saying why', async () => {
    const bruzzano = await search('Presidio C.A.S.A. Bruzzano servizi sanitari', 'NEED');
    const comasina = await search('Presidio C.A.S.A. Comasina servizi sanitari', 'NEED');
    const page = await open();
    await signIn(page, 'aler@example.org');
    await page.goto(`${base}/needs/${bruzzano}`);
    const first = page.locator('.member-section .match-card').first();
    await first.waitFor();
    const href = await first.locator('.card-title a').getAttribute('href');
    await first.getByRole('button', { name: /^Scarta/ }).click();
    await first.getByLabel('Non è pertinente').check();
    await first.getByRole('button', { name: 'Scarta la proposta' }).click();
    await first.getByText('Voi: scartata').waitFor();
    await page.goto(`${base}/needs/${comasina}`);
    // The same offer, proposed for the other presidio, now says why it is lower.
    const same = page.locator('.member-section .match-card', { has: page.locator(`.card-title a[href="${href}"]`) });
    await same.waitFor();
    const moved = same.locator('.match-reason', { hasText: 'Le vostre valutazioni' });
    await moved.waitFor();
    assert.match(await moved.textContent(), /già giudicata non pertinente per un altro vostro annuncio.*-\d+ punti/s);
    await check(page, 'need-feedback', 1280);
    await page.setViewportSize({ width: 390, height: 900 });
    await check(page, 'need-feedback', 390);
    await page.context().close();
  });

  // After it: this one reads none of ALER's lists.
  await test('an association offers a space to three Milano neighbourhoods: the first place and two more, listed on its page', async () => {
    const r = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ query: '{neighbourhoods(municipalityCode:"015146"){name}}' }),
    });
    const names = (await r.json()).data.neighbourhoods.map((n) => n.name);
    const [barona, gratosoglio, stadera] = [/^barona/i, /^gratosoglio/i, /^stadera/i].map((re) => names.find((n) => re.test(n)));
    assert.ok(barona && gratosoglio && stadera, `Milano's neighbourhoods: ${names.slice(0, 5).join(', ')}…`);
    const title = `Sala per laboratori di quartiere ${Date.now() % 100000}`;
    const page = await open();
    await signIn(page, 'onlus@example.org');
    await page.goto(base + '/offers/new');
    await page.getByRole('heading', { level: 1, name: "Pubblica un'offerta" }).waitFor();
    await page.getByLabel('Tipo di offerta').selectOption('SPACE');
    await page.getByLabel('Titolo').fill(title);
    await page.getByLabel('Descrizione').fill('Una sala al piano terra, con tavoli e sedie, per laboratori e incontri con gli abitanti.');
    await page.getByLabel('Territorio coperto').selectOption('NEIGHBOURHOOD');
    // The first place: Milano is already there, its neighbourhood is picked.
    await page.locator('#offer-neighbourhoodId').selectOption({ label: barona });

    // Two more places, each in its own group, the municipality picked from the suggestions.
    const places = page.getByRole('group', { name: 'Altri quartieri o comuni' });
    for (const [number, neighbourhood] of [[2, gratosoglio], [3, stadera]]) {
      await places.getByRole('button', { name: 'Aggiungi un luogo' }).click();
      const row = places.getByRole('group', { name: `Luogo ${number}` });
      const municipality = row.getByLabel('Comune');
      // The new row takes the focus, on its municipality.
      assert.equal(await municipality.evaluate((el) => el === document.activeElement), true, `place ${number} has the focus`);
      await municipality.fill('Milano');
      await page.locator(`#offer-other-${number - 2}-municipalities option[value="Milano (MI)"]`).waitFor({ state: 'attached' });
      await municipality.fill('Milano (MI)');
      await row.getByLabel('Quartiere').selectOption({ label: neighbourhood });
    }
    // A fourth added by mistake, then removed: the focus goes back to the add button.
    await places.getByRole('button', { name: 'Aggiungi un luogo' }).click();
    await places.getByRole('button', { name: 'Rimuovi il luogo 4' }).click();
    assert.equal(await places.getByRole('group', { name: /^Luogo \d+$/ }).count(), 2);
    assert.equal(await places.getByRole('button', { name: 'Aggiungi un luogo' }).evaluate((el) => el === document.activeElement), true);
    await check(page, 'offer-form-places', 1280);
    await page.setViewportSize({ width: 390, height: 900 });
    await check(page, 'offer-form-places', 390);

    await page.getByRole('button', { name: "Pubblica l'offerta" }).click();
    await page.getByRole('heading', { level: 1, name: title }).waitFor();
    assert.match(page.url(), /\/offers\/[0-9a-f-]+$/);
    const where = page.locator('.facts dd').filter({ hasText: barona });
    const text = await where.textContent();
    assert.ok(text.includes(`Anche: ${gratosoglio}, ${stadera} (Milano)`), `the other places on the page: ${text}`);
    await check(page, 'offer-places', 390);
    await page.setViewportSize({ width: 1280, height: 900 });
    await check(page, 'offer-places', 1280);

    // Edited, the form shows the same places back.
    const offerUrl = page.url();
    await page.goto(offerUrl + '/edit');
    await page.getByRole('heading', { level: 1, name: "Modifica l'offerta" }).waitFor();
    assert.equal(await page.locator('#offer-other-0-municipalityCode').inputValue(), 'Milano');
    await page.locator('#offer-other-1-neighbourhoodId').waitFor();
    assert.equal(await page.locator('#offer-other-1-neighbourhoodId option:checked').textContent(), stadera);
    assert.deepEqual(page.foreign, []);
    await page.context().close();
  });
} catch (error) {
  failures.push('setup');
  console.log(`FAIL  setup\n${error?.stack ?? error}`);
} finally {
  await browser?.close();
  stop();
  rmSync(dataDir, { recursive: true, force: true });
}
if (failures.length) {
  console.log(`\n${failures.length} browser test(s) failed`);
  process.exit(1);
}
console.log('\nall browser tests passed');
