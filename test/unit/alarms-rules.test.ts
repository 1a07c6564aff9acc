// Alarm thresholds and hysteresis (firmware-agent/alarms/rules.ts): a figure past its threshold for
// raiseAfterSamples samples raises, an active alarm clears only after clearAfterSamples samples back inside
// the threshold by the margin, a figure hovering in the band never flaps, an unmeasured figure neither
// raises nor clears, a threshold turned off clears its alarm.
import fc from 'fast-check';
import t from 'tap';
import { defaultConfig, type AlarmsConfig } from '../../firmware-agent/config/model.js';
import { type Figures, Hysteresis, evaluate, zone } from '../../firmware-agent/alarms/rules.js';

const none: Figures = {
  load1PerCore: null, cpuUsePercent: null, temperatureC: null, memoryAvailablePercent: null, diskFreePercent: null, diskFreeMB: null,
  rssMB: null, eventLoopDelayMs: null, modemSignalRssi: null, netOutboxDepth: null, netOutboxAgeMinutes: null, smsOutboxDepth: null,
  overdueTickets: null, modemReady: null, modemRegistered: null, trunkUp: null,
};
const cfg = (o: Partial<AlarmsConfig> = {}): AlarmsConfig => ({ ...structuredClone(defaultConfig.alarms), ...o });

/** Runs samples of one figure through evaluate, tracking the active set as the service would. */
function run(c: AlarmsConfig, samples: Partial<Figures>[]): string[] {
  const h = new Hysteresis();
  const active = new Set<string>();
  const out: string[] = [];
  for (const s of samples) {
    for (const d of evaluate({ ...none, ...s }, c, h, active)) {
      out.push(`${d.action}:${d.key}`);
      if (d.action === 'raise') active.add(d.key);
      else active.delete(d.key);
    }
    out.push('|');
  }
  return out;
}

t.test('zones with the clear margin', async (t) => {
  t.equal(zone(91, 90, 'above', 10), 'past');
  t.equal(zone(90, 90, 'above', 10), 'band');
  t.equal(zone(81.1, 90, 'above', 10), 'band');
  t.equal(zone(81, 90, 'above', 10), 'inside');
  t.equal(zone(9, 10, 'below', 10), 'past');
  t.equal(zone(10.5, 10, 'below', 10), 'band');
  t.equal(zone(11, 10, 'below', 10), 'inside');
});

t.test('raise after two samples past, clear after two samples inside the margin', async (t) => {
  const c = cfg();
  const seq = [5, 5, 9, 9.5, 10.5, 50, 50].map((v) => ({ diskFreePercent: v }));
  t.same(run(c, seq), ['|', 'raise:disk-free', '|', '|', '|', '|', '|', 'clear:disk-free', '|']);
});

t.test('a figure hovering around the threshold does not flap', async (t) => {
  const c = cfg({ raiseAfterSamples: 1, clearAfterSamples: 1 });
  // 9.9 (past) then alternating 10.2/9.9 … the band (10..11) never clears it.
  const seq = [9.9, 10.2, 9.9, 10.2, 10.9, 9.9].map((v) => ({ diskFreePercent: v }));
  t.same(run(c, seq).filter((x) => x !== '|'), ['raise:disk-free']);
});

t.test('an unmeasured figure neither raises nor clears; a state figure raises and clears', async (t) => {
  const c = cfg({ raiseAfterSamples: 1, clearAfterSamples: 1 });
  t.same(run(c, [{ temperatureC: null }, {}]).filter((x) => x !== '|'), []);
  t.same(run(c, [{ modemRegistered: false }, { modemRegistered: null }, { modemRegistered: true }]), ['raise:modem-unregistered', '|', '|', 'clear:modem-unregistered', '|']);
});

t.test('a threshold turned off clears its alarm at once', async (t) => {
  const c = cfg({ raiseAfterSamples: 1 });
  const h = new Hysteresis();
  const raised = evaluate({ ...none, overdueTickets: 30 }, c, h, new Set());
  t.same(raised.map((d) => d.action + ':' + d.key), ['raise:tickets-overdue']);
  t.match(raised[0], { value: 30, threshold: 20, message: 'overdue open tickets 30, above the threshold 20', messageZh: '超期未办结工单数 30，高于阈值 20' });
  const off = cfg({ thresholds: { ...c.thresholds, overdueTicketsMax: null } });
  t.same(evaluate({ ...none, overdueTickets: 30 }, off, h, new Set(['tickets-overdue'])).map((d) => d.action + ':' + d.key), ['clear:tickets-overdue']);
});

t.test('property: an alarm never raises and clears within fewer samples than configured, and never flaps in the band', async (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 5 }),
      fc.integer({ min: 1, max: 5 }),
      fc.array(fc.oneof(fc.double({ min: 0, max: 100, noNaN: true }), fc.constant(null)), { minLength: 1, maxLength: 60 }),
      (raiseAfter, clearAfter, values) => {
        const c = cfg({ raiseAfterSamples: raiseAfter, clearAfterSamples: clearAfter });
        const h = new Hysteresis();
        let active = false;
        let pastRun = 0;
        let insideRun = 0;
        for (const v of values) {
          const z = v === null ? null : zone(v, 10, 'below', c.clearMarginPercent);
          if (z !== null) {
            pastRun = z === 'past' ? pastRun + 1 : 0;
            insideRun = z === 'inside' ? insideRun + 1 : 0;
          }
          const ds = evaluate({ ...none, diskFreePercent: v }, c, h, new Set(active ? ['disk-free'] : []));
          for (const d of ds) {
            if (d.action === 'raise') {
              if (active || pastRun < raiseAfter || z !== 'past') return false;
              active = true;
            } else {
              if (!active || insideRun < clearAfter || z !== 'inside') return false;
              active = false;
            }
          }
          // Whenever the run lengths call for a change, it happened.
          if (!active && pastRun >= raiseAfter && z === 'past') return false;
          if (active && insideRun >= clearAfter && z === 'inside') return false;
        }
        return true;
      },
    ),
  );
  t.pass('every sequence of samples kept the hysteresis');
});
