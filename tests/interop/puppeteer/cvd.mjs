// The CVD intake in a real browser: Debian's Chromium driven by
// puppeteer-core (no browser download). Used by tests/e2e/cvd-browser.sh.
//
//   node cvd.mjs report BASE_URL SPKI       fill and send the form with
//                                           JavaScript off, follow the link,
//                                           send a message; prints LINK <url>
//   node cvd.mjs check  FOLLOW_URL SPKI     open the reporter's view with
//                                           JavaScript on and the page's CSP
//                                           bypassed: the injection strings
//                                           must still be inert (escaping,
//                                           not the CSP, is what is tested)
//
// Each result is one line, "OK <what>" or "FAIL <what>: <detail>".
import puppeteer from 'puppeteer-core';

const [mode, url, spki] = process.argv.slice(2);
export const INJ_TITLE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>';
export const INJ_DETAILS = 'Steps:\n<a href="javascript:alert(3)">x</a>\n\' onmouseover=\'alert(4)\n' +
  '+ADw-script+AD4-alert(5)+ADw-/script+AD4-\n</pre></textarea><svg onload=alert(6)><iframe src="javascript:alert(7)">';
export const INJ_MESSAGE = 'Any news? <script>alert(8)</script><img src=x onerror=alert(9)>';

let failed = 0;
const ok = (what) => console.log(`OK ${what}`);
const fail = (what, detail) => { failed++; console.log(`FAIL ${what}: ${String(detail).replace(/\n/g, ' ')}`); };
const expect = (cond, what, detail) => (cond ? ok(what) : fail(what, detail));

const args = ['--headless=new', `--ignore-certificate-errors-spki-list=${spki}`, '--disable-gpu',
  '--no-first-run', '--no-default-browser-check'];
if (process.getuid && process.getuid() === 0) args.push('--no-sandbox'); // Chromium refuses root otherwise
const browser = await puppeteer.launch({ executablePath: '/usr/bin/chromium', headless: true, args });
const dialogs = [];

// Elements no view of ours has, and attributes none of ours carries.
async function injected(page) {
  return page.evaluate(() => {
    const bad = [...document.querySelectorAll('script, img, svg, iframe, object, embed')].map((e) => e.tagName);
    for (const e of document.querySelectorAll('*'))
      for (const a of e.getAttributeNames())
        if (/^on/i.test(a)) bad.push(`${e.tagName}[${a}]`);
    for (const a of document.querySelectorAll('a[href], form[action]')) {
      const u = a.getAttribute('href') ?? a.getAttribute('action');
      if (/^\s*(javascript|data|vbscript):/i.test(u)) bad.push(`${a.tagName} ${u}`);
    }
    return bad;
  });
}

try {
  const page = await browser.newPage();
  page.on('dialog', async (d) => { dialogs.push(d.message()); await d.dismiss(); });
  if (mode === 'report') {
    await page.setJavaScriptEnabled(false); // the intake must work without JavaScript
    const r = await page.goto(`${url}/cvd/report`, { waitUntil: 'load' });
    expect(r.status() === 200, 'the form loads', r.status());
    const a11y = await page.evaluate(() => ({
      lang: document.documentElement.lang,
      unlabelled: [...document.querySelectorAll('input:not([type=hidden]), textarea')]
        .filter((i) => !document.querySelector(`label[for="${i.id}"]`)).map((i) => i.name),
      fieldsets: document.querySelectorAll('fieldset > legend').length,
    }));
    expect(a11y.lang === 'en', 'the page declares its language', a11y.lang);
    expect(a11y.unlabelled.length === 0, 'every field has a label', a11y.unlabelled.join(','));
    expect(a11y.fieldsets >= 2, 'the fields are grouped in fieldsets with legends', a11y.fieldsets);
    await page.type('#title', INJ_TITLE);
    await page.type('#product', 'Thermostat T1 1.0');
    await page.type('#details', INJ_DETAILS);
    await page.type('#credit', INJ_TITLE);
    const [sent] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('button[type=submit]')]);
    expect(sent.status() === 201, 'the report is sent (201)', sent.status());
    const ref = await page.$eval('#reference', (e) => e.textContent);
    const link = await page.$eval('#follow', (e) => e.href);
    expect(/^CASE-\d{4}-\d{4,}$/.test(ref), 'the receipt shows the case reference', ref);
    expect(/\/cvd\/follow\/CASE-[^/]+\/[0-9a-f]{64}$/.test(link), 'and the secret follow-up link', link);
    const [view] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('#follow')]);
    expect(view.status() === 200, 'following the link opens the reporter view', view.status());
    const title = await page.$eval('#title', (e) => e.textContent);
    expect(title === INJ_TITLE, 'the title is shown exactly as typed, as text', title);
    const state = await page.$eval('#state', (e) => e.textContent);
    expect(state === 'received, not yet triaged', 'the status is shown', state);
    await page.type('#message', INJ_MESSAGE);
    const [posted] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('button[type=submit]')]);
    expect(posted.status() === 200, 'a message is sent from the view', posted.status());
    const msgs = await page.$$eval('#messages pre', (l) => l.map((e) => e.textContent));
    expect(msgs.length === 2 && msgs[1] === INJ_MESSAGE, 'it appears in the conversation, as text', JSON.stringify(msgs));
    expect(msgs[0] === INJ_DETAILS, 'the report is the first message, exactly as typed', JSON.stringify(msgs[0]));
    console.log(`LINK ${link}`);
  } else if (mode === 'check') {
    // JavaScript on and the CSP bypassed: only the escaping stands between
    // the injection strings and the page.
    await page.setBypassCSP(true);
    const r = await page.goto(url, { waitUntil: 'load' });
    expect(r.status() === 200, 'the reporter view opens with JavaScript on', r.status());
    await page.hover('#title').catch(() => {});
    for (const pre of await page.$$('#messages pre')) await pre.hover().catch(() => {});
    await new Promise((res) => setTimeout(res, 500));
    const bad = await injected(page);
    expect(bad.length === 0, 'no injected element, handler or javascript: link in the DOM', bad.join(' '));
    expect(dialogs.length === 0, 'no injected script ran (no dialog opened)', dialogs.join(' | '));
    const msgs = await page.$$eval('#messages pre', (l) => l.map((e) => e.textContent));
    expect(msgs.some((m) => m.includes('Confirmed; a fix ships in 1.1.')), "the security team's reply is shown", JSON.stringify(msgs));
    // The form and the receipt with JavaScript on, too.
    const base = new URL(url).origin;
    await page.goto(`${base}/cvd/report`, { waitUntil: 'load' });
    const scripts = await page.evaluate(() => document.scripts.length);
    expect(scripts === 0, 'the form page has no script at all', scripts);
  } else {
    fail('mode', `unknown mode ${mode}`);
  }
} catch (e) {
  fail('the browser session', e.stack || e);
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
