// Browser tests of the web app: boots the real `trama serve --demo` on a free
// port with a fresh data directory, drives Debian's Chromium with
// playwright-core, audits every page with axe-core at 1280 and 390 px, and
// fails on any request to another host. Screenshots go to e2e/screenshots/.
//
// TRAMA_BIN: the trama binary (default ../target/debug/trama);
// CHROMIUM: the browser (default /usr/bin/chromium).
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';

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
try {
  await waitReady(base, server, 240);
  browser = await chromium.launch({ executablePath: browserPath, args: ['--no-sandbox'] });

  /** A page that records every request to a host other than Trama's. */
  async function open(width = 1280) {
    const context = await browser.newContext({ viewport: { width, height: 900 }, acceptDownloads: true });
    const page = await context.newPage();
    page.foreign = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (!['data:', 'blob:'].includes(url.protocol) && url.host !== `127.0.0.1:${port}`) page.foreign.push(request.url());
    });
    return page;
  }

  async function test(name, body) {
    const started = Date.now();
    try {
      await body();
      console.log(`ok    ${name} (${Date.now() - started} ms)`);
    } catch (error) {
      failures.push(name);
      console.log(`FAIL  ${name}\n${error?.stack ?? error}`);
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

  await test('a visitor searches, ticks a facet, opens a result and downloads the open data', async () => {
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
    const first = page.locator('.result h3 a').first();
    await first.waitFor();
    assert.ok(await page.locator('.result mark').count() > 0, 'snippets mark the matched words');
    const title = (await first.textContent())?.trim();
    await first.click();
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

  await test('GraphiQL is served by Trama, without a CDN', async () => {
    const page = await open();
    await page.goto(base + '/graphql');
    await page.locator('.graphiql-container').waitFor();
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
