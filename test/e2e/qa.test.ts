// 质检 in the browser: a supervisor picks a recorded call on the quality-inspection page, the recording is
// served to the player, scores it on the form; the agent scored sees the inspection on the same page.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { wavHeader } from '../../drivers/media/wav.js';
import { boxAndBrowser, login, newPage, shot } from './helpers.js';

t.test('a supervisor scores a recorded call; the agent sees the score', async (t) => {
  const { tb, browser } = await boxAndBrowser(t);
  const db = tb.box.db;
  const agentId = (db.prepare("SELECT id FROM users WHERE username = 'agent1'").get() as { id: number }).id;
  fs.mkdirSync(path.join(tb.dir, 'recordings'), { recursive: true });
  fs.writeFileSync(path.join(tb.dir, 'recordings', 'qa-1.wav'), Buffer.concat([wavHeader(16000), Buffer.alloc(16000)])); // 1 s of silence
  const at = Date.now() - 3_600_000;
  db.prepare("INSERT INTO calls (id, channel, caller, called, presentation, status, outcome, arrived_at, agent_answered_at, ended_at, recording_file) VALUES ('qa-1', 'e1', '13909411234', '12328', 'allowed', 'ended', 'answered', ?, ?, ?, 'recordings/qa-1.wav')").run(at, at + 4000, at + 94_000);
  db.prepare("INSERT INTO call_legs (call_id, kind, target, started_at, ended_at) VALUES ('qa-1', 'agent', ?, ?, ?)").run(String(agentId), at + 4000, at + 94_000);

  const sup = await newPage(browser, tb.url);
  await login(sup, 'super1');
  await sup.click('header nav a[href="/qa"]');
  await sup.waitForSelector(`#qa-calls tr[data-call="qa-1"][data-agent="${agentId}"]`);
  await sup.click(`[data-inspect="qa-1:${agentId}"]`);
  const src = await sup.getAttribute('#qa-recording', 'src');
  const served = await sup.evaluate(async (u) => {
    const r = await fetch(u!, { credentials: 'same-origin' });
    return [r.status, r.headers.get('content-type'), (await r.arrayBuffer()).byteLength];
  }, src);
  t.same(served, [200, 'audio/wav', 16044], 'the player gets the call’s recording');
  // Default form, all 10 points preset; the agent lost points on accuracy and closing.
  await sup.fill('#qa-points-accuracy', '6');
  await sup.fill('#qa-points-closing', '5');
  await sup.fill('#qa-comment', '政策解释不够准确');
  await shot(sup, '42-qa-form');
  await sup.click('#qa-submit');
  // (15 + 20 + 30·0.6 + 20 + 15·0.5) / 100 × 100 = 80.5
  await sup.waitForSelector('#qa-inspections tr[data-call="qa-1"]');
  t.equal((await sup.textContent('#qa-inspections tr[data-call="qa-1"] .qa-score'))?.trim(), '80.5');
  t.equal(await sup.locator('[data-inspect="qa-1:' + agentId + '"]').count(), 0, 'an inspected call is not offered again');

  // The agent appealed: a correction with a reason, on the same form, prefilled with the points given.
  const inspectionId = await sup.getAttribute('#qa-inspections tr[data-call="qa-1"]', 'data-inspection');
  await sup.click(`[data-correct="${inspectionId}"]`);
  t.equal(await sup.inputValue('#qa-points-accuracy'), '6', 'the points given are shown');
  await sup.fill('#qa-points-accuracy', '8');
  t.ok(await sup.isDisabled('#qa-submit'), 'no correction without a reason');
  await sup.fill('#qa-reason', '坐席申诉，复听后调整');
  await sup.click('#qa-submit');
  await sup.waitForSelector('#qa-inspections tr[data-call="qa-1"] .qa-corrected');
  // (15 + 20 + 30·0.8 + 20 + 15·0.5) = 86.5
  t.match(await sup.textContent('#qa-inspections tr[data-call="qa-1"] .qa-score'), /^86\.5\s*已更正 · super1/);
  const trail = db.prepare("SELECT note FROM audit WHERE entity = 'qa' AND action = 'correct' AND entity_id = ?").get(inspectionId) as { note: string } | undefined;
  t.equal(trail?.note, '坐席申诉，复听后调整', 'the reason is in the audit trail');

  const agent = await newPage(browser, tb.url);
  await login(agent, 'agent1');
  await agent.goto('/qa');
  await agent.waitForSelector('#qa-inspections tr[data-call="qa-1"]');
  t.match(await agent.textContent('#qa-inspections tr[data-call="qa-1"]'), /86\.5[\s\S]*政策解释不够准确/, 'the agent reads their corrected score and the comment');
  t.equal(await agent.locator('[data-correct]').count(), 0, 'agents do not correct');
  t.equal(await agent.locator('#qa-calls').count(), 0, 'agents do not pick calls to inspect');
  await shot(agent, '43-qa-agent');
});
