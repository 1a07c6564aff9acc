// The staff UI over HTTPS in a real browser (issue 17 §2): chromium trusts the box's server key (as a PC that
// installed the box CA would trust its certificate), the page is a secure context — the microphone API is
// there — and the technician page shows the CA's fingerprint, its download link and how to trust it.
import crypto from 'node:crypto';
import t from 'tap';
import { lanHttpsOf } from '../../firmware-agent/webui/lan-https.js';
import { launch, login, newPage, password, seedUsers, shot, startBox } from './helpers.js';

declare const window: { isSecureContext: boolean; navigator: { mediaDevices?: unknown } };

t.test('over HTTPS the staff UI is a secure context and the technician page shows how to trust the box', async (t) => {
  const tb = await startBox();
  const lan = lanHttpsOf.get(tb.box)!;
  for (let i = 0; i < 200 && !lan.url(); i++) await new Promise((r) => setTimeout(r, 10));
  const cert = lan.certificate();
  // What --ignore-certificate-errors-spki-list wants: base64 SHA-256 of the certificate's public key (SPKI).
  const spki = crypto.createHash('sha256').update(new crypto.X509Certificate(cert.certPem).publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
  // box.test resolves to the box: a LAN name that is not localhost, so plain HTTP to it is not a secure context.
  const browser = await launch([`--ignore-certificate-errors-spki-list=${spki}`, '--host-resolver-rules=MAP box.test 127.0.0.1']);
  t.teardown(async () => {
    await browser.close();
    await tb.close();
  });
  await seedUsers(tb);
  const r = await tb.admin('POST', '/api/users', { username: 'tech1', role: 'technician', password, displayName: '运维小赵' });
  t.equal(r.status, 201);
  const url = lan.url()!;
  t.match(url, /^https:\/\//);
  const page = await newPage(browser, url);
  await login(page, 'tech1');
  t.equal(await page.evaluate(() => window.isSecureContext), true, 'a secure context');
  t.equal(await page.evaluate(() => typeof window.navigator.mediaDevices), 'object', 'the microphone API is offered');
  await page.goto('/technician');
  await page.waitForSelector('#tech-https');
  t.equal((await page.textContent('#tech-ca-fingerprint'))?.trim(), cert.caFingerprint, 'the CA fingerprint to check on each PC');
  t.equal(await page.getAttribute('#tech-ca-download', 'href'), '/ca.crt');
  t.match(await page.textContent('#tech-https'), /受信任的根证书颁发机构/, 'how to trust it, in Chinese');
  t.equal((await page.textContent('#tech-https-url'))?.trim(), url);
  await shot(page, 'technician-https');

  // An agent on plain HTTP from another machine (by a LAN name: not a secure context) is offered the HTTPS address.
  const plain = await newPage(browser, tb.url.replace('127.0.0.1', 'box.test'));
  await login(plain, 'agent1');
  t.equal(await plain.evaluate(() => window.isSecureContext), false, 'plain HTTP by a LAN name is not a secure context');
  await plain.waitForSelector('#https-notice');
  t.equal(await plain.getAttribute('#https-notice a', 'href'), `https://box.test:${new URL(url).port}/`, 'the notice links the same page over HTTPS');
  t.match(await plain.textContent('#https-notice'), /不允许使用麦克风/, 'and says why, in Chinese');
});
