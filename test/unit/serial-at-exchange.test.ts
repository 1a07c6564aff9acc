import t from 'tap';
import { step, owns, type ExchangeSpec, type ExchangeState, type ExchangeInput, type AtResult } from '../../drivers/serial-at/exchange.js';

function run(spec: ExchangeSpec, inputs: ExchangeInput[]): { state: ExchangeState; writes: string[]; timers: number[]; result?: AtResult } {
  let state: ExchangeState = { phase: 'idle' };
  const writes: string[] = [];
  const timers: number[] = [];
  let result: AtResult | undefined;
  for (const input of [{ type: 'start' } as const, ...inputs]) {
    const s = step(spec, state, input);
    state = s.state;
    for (const a of s.actions) {
      if (a.type === 'write') writes.push(a.data);
      if (a.type === 'arm-timer') timers.push(a.ms);
      if (a.type === 'settle') result = a.result;
    }
  }
  return { state, writes, timers, ...(result ? { result } : {}) };
}

const csq: ExchangeSpec = { command: 'AT+CSQ', timeoutMs: 1000 };

t.test('a plain command collects information lines until OK', async (t) => {
  const r = run(csq, [{ type: 'line', text: '+CSQ: 21,99' }, { type: 'line', text: 'OK' }]);
  t.same(r.writes, ['AT+CSQ\r']);
  t.same(r.timers, [1000]);
  t.same(r.result, { ok: true, lines: ['+CSQ: 21,99'], final: 'OK' });
});

t.test('the echo of the command is dropped (before ATE0)', async (t) => {
  const r = run({ command: 'ATE0', timeoutMs: 500 }, [{ type: 'line', text: 'ATE0' }, { type: 'line', text: 'OK' }]);
  t.same(r.result, { ok: true, lines: [], final: 'OK' });
});

t.test('failure reasons are a discriminated union', async (t) => {
  t.same(run(csq, [{ type: 'line', text: 'ERROR' }]).result, { ok: false, lines: [], failure: { kind: 'error' } });
  t.same(run(csq, [{ type: 'line', text: '+CME ERROR: 10' }]).result, { ok: false, lines: [], failure: { kind: 'cme', code: 10, text: '10' } });
  t.same(run(csq, [{ type: 'line', text: '+CME ERROR: SIM not inserted' }]).result, {
    ok: false,
    lines: [],
    failure: { kind: 'cme', code: null, text: 'SIM not inserted' },
  });
  t.same(run(csq, [{ type: 'line', text: '+CMS ERROR: 500' }]).result, { ok: false, lines: [], failure: { kind: 'cms', code: 500, text: '500' } });
  t.same(run(csq, [{ type: 'timeout' }]).result, { ok: false, lines: [], failure: { kind: 'timeout', phase: 'final' } });
  t.same(run(csq, [{ type: 'closed' }]).result, { ok: false, lines: [], failure: { kind: 'closed' } });
});

t.test('AT+CMGS waits for the prompt, sends the PDU with Ctrl-Z, then the final result', async (t) => {
  const spec: ExchangeSpec = { command: 'AT+CMGS=23', body: '0011AB', timeoutMs: 5000 };
  const r = run(spec, [{ type: 'prompt' }, { type: 'line', text: '+CMGS: 42' }, { type: 'line', text: 'OK' }]);
  t.same(r.writes, ['AT+CMGS=23\r', '0011AB\x1a']);
  t.same(r.timers, [5000, 5000], 'the timer is re-armed for the final result');
  t.same(r.result, { ok: true, lines: ['+CMGS: 42'], final: 'OK' });
  const late = run(spec, [{ type: 'timeout' }]);
  t.same(late.result, { ok: false, lines: [], failure: { kind: 'timeout', phase: 'prompt' } });
  t.same(late.writes, ['AT+CMGS=23\r', '\x1b'], 'no prompt in time: ESC cancels the text entry (TS 27.005 §3.5.1)');
  t.same(run(spec, [{ type: 'line', text: '+CMS ERROR: 304' }]).result, { ok: false, lines: [], failure: { kind: 'cms', code: 304, text: '304' } });
});

t.test('a prompt nobody asked for is ignored', async (t) => {
  const r = run(csq, [{ type: 'prompt' }, { type: 'line', text: 'OK' }]);
  t.same(r.writes, ['AT+CSQ\r']);
  t.ok(r.result?.ok);
});

t.test('dial commands treat NO CARRIER / BUSY as final, others leave them to URC routing', async (t) => {
  const ata: ExchangeSpec = { command: 'ATA', timeoutMs: 1000, dial: true };
  t.same(run(ata, [{ type: 'line', text: 'NO CARRIER' }]).result, { ok: false, lines: [], failure: { kind: 'call', result: 'no-carrier' } });
  const working: ExchangeState = { phase: 'awaiting-final', lines: [] };
  t.ok(owns(ata, working, 'NO CARRIER'));
  t.notOk(owns(csq, working, 'NO CARRIER'));
  t.notOk(owns(csq, working, 'RING'));
  t.ok(owns({ command: 'AT+CREG?', timeoutMs: 1, expect: ['+CREG:'] }, working, '+CREG: 0,1'));
  t.ok(owns({ command: 'AT+CMGR=1', timeoutMs: 1, rawLines: true }, working, '0791AB'));
  t.notOk(owns(csq, { phase: 'idle' }, 'OK'), 'nothing is owned before the command is sent');
});

t.test('inputs after done change nothing', async (t) => {
  const done: ExchangeState = { phase: 'done', result: { ok: true, lines: [], final: 'OK' } };
  t.same(step(csq, done, { type: 'line', text: 'OK' }), { state: done, actions: [] });
});
