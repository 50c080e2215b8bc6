// Drives Debian's Chromium (playwright-core, no browser download) through the web console of a
// running processor and checks what a person would see. ConsoleBrowserTest runs it against the
// embedded demo.
//
//   node console-check.mjs BASE_URL ADMIN_TOKEN KNOWN_ID UNKNOWN_ID SCREENSHOT_PNG
//
// Prints "ok N - check" or "not ok N - check: why" per check, then "browser: N passed, N failed";
// exits 1 when a check failed. Every wait is for something to show, bounded by Playwright's timeout.

import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [base, token, knownId, unknownId, screenshot] = process.argv.slice(2);
if (!screenshot) {
  console.error('usage: node console-check.mjs BASE_URL ADMIN_TOKEN KNOWN_ID UNKNOWN_ID SCREENSHOT_PNG');
  process.exit(2);
}

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const results = [];

async function check(name, body) {
  try {
    await body();
    results.push(true);
    console.log(`ok ${results.length} - ${name}`);
  } catch (e) {
    results.push(false);
    console.log(`not ok ${results.length} - ${name}: ${String(e.message || e).split('\n')[0]}`);
  }
}

function expect(condition, message) {
  if (!condition) {
    throw new Error(message);
  }
}

/** The values the fold-rate chart plots, read back from its polyline (0 at the baseline). */
async function foldRatePoints(page) {
  return page.$eval('#chart-events polyline', line => line.getAttribute('points'));
}

// a fresh profile, removed afterwards: nothing from another run (cache, storage) leaks in
const profile = mkdtempSync(join(tmpdir(), 'console-check-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: CHROMIUM_ARGS,
  viewport: { width: 1280, height: 900 },
});
try {
  const page = context.pages()[0] || await context.newPage();
  page.setDefaultTimeout(20_000);
  const consoleErrors = [];
  const pageErrors = [];
  const adminRequests = [];
  page.on('console', message => message.type() === 'error' && consoleErrors.push(message.text()));
  page.on('pageerror', error => pageErrors.push(error.message));
  page.on('request', request => new URL(request.url()).pathname.startsWith('/admin/')
    && adminRequests.push(`${request.method()} ${request.url()} ${request.headers().authorization ? 'with' : 'without'} a token`));

  await check('the page loads, shows the instance RUNNING, with no console errors', async () => {
    const response = await page.goto(base + '/');
    expect(response.status() === 200, `GET / answered ${response.status()}`);
    await page.waitForFunction(() => document.getElementById('state').textContent === 'RUNNING');
    await page.waitForSelector('#chart-events polyline');
    expect(consoleErrors.length === 0, `console errors: ${consoleErrors.join(' | ')}`);
    expect(pageErrors.length === 0, `script errors: ${pageErrors.join(' | ')}`);
  });

  await check('the fold-rate chart\'s values move', async () => {
    // the chart gains a point each poll; its newest value is the rate just measured
    await page.waitForFunction(() => {
      const points = document.querySelector('#chart-events polyline').getAttribute('points').trim().split(' ');
      return points.length >= 10 && Number(document.querySelector('#chart-events .latest').textContent) > 0;
    });
    const before = await foldRatePoints(page);
    await page.waitForFunction(earlier => document.querySelector('#chart-events polyline').getAttribute('points') !== earlier,
      before);
    const ys = (await foldRatePoints(page)).trim().split(' ').map(point => Number(point.split(',')[1]));
    const zero = Number(await page.$eval('#chart-events line.axis', axis => axis.getAttribute('y1')));
    expect(ys.some(y => y < zero), `no positive rate plotted: ${ys.join(' ')}`);
    expect(new Set(ys).size > 1, `the plotted rates are one flat line: ${ys.join(' ')}`);
  });

  await check(`a lookup of ${knownId} shows its state and at least one snapshot`, async () => {
    await page.fill('#lookup-id', knownId);
    await page.click('#lookup-go');
    await page.waitForSelector('#aggregate:not([hidden])');
    const state = JSON.parse(await page.textContent('#aggregate-state'));
    expect(Object.values(state).includes(knownId), `the state shown does not name ${knownId}: ${JSON.stringify(state)}`);
    await page.waitForSelector('#snapshot-history tbody tr a');
    const versions = await page.$$eval('#snapshot-history tbody tr a', links => links.map(a => Number(a.textContent)));
    expect(versions.length > 0 && versions.every(v => v > 0), `snapshot versions shown: ${versions}`);
    const facts = await page.textContent('#aggregate-facts');
    expect(facts.includes('events since the last snapshot'), 'the facts miss the events since the last snapshot');
    await page.screenshot({ path: screenshot, fullPage: true });
  });

  await check(`a lookup of ${unknownId} says it is not found`, async () => {
    await page.fill('#lookup-id', unknownId);
    await page.click('#lookup-go');
    await page.waitForFunction(() => document.getElementById('lookup-message').textContent.startsWith('Not found'));
    const message = await page.textContent('#lookup-message');
    expect(message.includes(unknownId), `the message does not name the id: ${message}`);
    expect(await page.isHidden('#aggregate'), 'the previous aggregate is still shown');
  });

  await check('an admin action without the token is refused, and sends nothing', async () => {
    await page.click('#admin-cleanup');
    await page.waitForFunction(() => document.getElementById('admin-message').textContent.startsWith('Refused'));
    expect((await page.textContent('#admin-message')).includes('needs the admin token'), 'no reason given');
    expect(adminRequests.length === 0, `sent: ${adminRequests.join(' | ')}`);
  });

  await check('with a wrong token the server refuses it (403); with the admin token it runs', async () => {
    await page.fill('#admin-token', token + '-wrong');
    await page.click('#admin-cleanup');
    await page.waitForFunction(() => document.getElementById('admin-message').textContent.startsWith('Refused by the server'));
    const refused = await page.textContent('#admin-message');
    expect(refused.includes('403'), `not a 403: ${refused}`);
    await page.fill('#admin-token', token);
    await page.click('#admin-cleanup');
    await page.waitForFunction(() => document.getElementById('admin-message').textContent.startsWith('The retention cleanup: started'));
    expect(adminRequests.length === 2 && adminRequests.every(r => r.endsWith('with a token')), `sent: ${adminRequests.join(' | ')}`);
  });

  await check('no script errors, and the only console errors are the refused and not-found answers', async () => {
    expect(pageErrors.length === 0, `script errors: ${pageErrors.join(' | ')}`);
    const unexpected = consoleErrors.filter(text => !/status of (403|404)/.test(text));
    expect(unexpected.length === 0, `console errors: ${unexpected.join(' | ')}`);
  });
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}

const failed = results.filter(passed => !passed).length;
console.log(`browser: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
