import { chromium } from 'playwright-core';
const base = 'http://127.0.0.1:8099';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
async function as(email, width = 1280) {
  const page = await (await browser.newContext({ viewport: { width, height: 900 } })).newPage();
  await page.goto(base + '/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('trama-demo-2026');
  await page.getByRole('button', { name: /Accedi/ }).first().click();
  await page.waitForURL((u) => !u.pathname.startsWith('/sign-in'));
  return page;
}
const comune = await as('comune@example.org');
await comune.goto(base + '/account').catch(() => {});
await comune.waitForTimeout(2500);
await comune.screenshot({ path: '/tmp/shots/comune-dash.png', fullPage: true });
const link = comune.locator('a[href^="/projects/"]').first();
const href = await link.getAttribute('href');
console.log('project', href);
await comune.goto(base + href);
await comune.waitForTimeout(3000);
await comune.screenshot({ path: '/tmp/shots/comune-project.png', fullPage: true });
const onlus = await as('onlus@example.org', 390);
await onlus.goto(base + '/account').catch(() => {});
await onlus.waitForTimeout(2500);
await onlus.screenshot({ path: '/tmp/shots/onlus-dash.png', fullPage: true });
await browser.close();
