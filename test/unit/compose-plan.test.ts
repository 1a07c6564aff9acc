// The composition plan (issue 12 §1): what runs and each part's typed options, from the configuration and
// start-time overrides — never from the environment (except the test suite's shared prompt cache).
import t from 'tap';
import fc from 'fast-check';
import { planBox, resolveNetworkTunables } from '../../firmware-agent/compose.js';
import { networkTunables } from '../../firmware-agent/config/network-tunables.js';
import { defaultConfig, type BoxConfig } from '../../firmware-agent/config/model.js';
import { validateConfig } from '../../firmware-agent/config/schema.js';
import { defaultSyncOptions } from '../../firmware-agent/network/sync.js';

const withTrunk = (trunk: BoxConfig['trunk']): BoxConfig => ({ ...structuredClone(defaultConfig), trunk });

t.test('the trunk section becomes the driver’s typed options; the environment is not read', async (t) => {
  const saved = { s: process.env.EDGEBOX_SERIAL, d: process.env.EDGEBOX_DCHANNEL };
  process.env.EDGEBOX_SERIAL = '/dev/from-env';
  process.env.EDGEBOX_DCHANNEL = '/run/from-env';
  t.teardown(() => {
    for (const [k, v] of [['EDGEBOX_SERIAL', saved.s], ['EDGEBOX_DCHANNEL', saved.d]] as const) if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  });
  t.same(planBox(defaultConfig, '/data', {}, {}).trunk, { driver: 'simulator' });
  t.match(planBox(withTrunk({ driver: 'serial-at', serial: '/dev/gsm0', dchannel: null, options: { baud: '9600', module: 'quectel' } }), '/data', {}, {}).trunk, {
    driver: 'serial-at',
    options: { serial: '/dev/gsm0', baudRate: 9600, module: 'quectel' },
  });
  t.match(planBox(withTrunk({ driver: 'e1-pri', serial: null, dchannel: '/run/d0', options: { 'e1-channels': '1-10' } }), '/data', {}, {}).trunk, { driver: 'e1-pri', options: { dchannel: '/run/d0', channels: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] } });
  t.throws(() => planBox(withTrunk({ driver: 'e1-pri', serial: null, dchannel: null, options: {} }), '/data', {}, {}), /--dchannel/, 'EDGEBOX_DCHANNEL does not stand in');
  t.match(planBox(defaultConfig, '/data', { driver: 'voice-modem', serial: '/dev/ttyACM0' }, {}).trunk, { driver: 'voice-modem', options: { serial: '/dev/ttyACM0' } }, 'start flags with a driver: this run’s trunk');
  t.equal(planBox(defaultConfig, '/data', {}, {}).promptCacheDir, '/data/cache/prompts');
  t.equal(planBox(defaultConfig, '/data', {}, { EDGEBOX_PROMPT_CACHE: '/suite' }).promptCacheDir, '/suite');
});

t.test('network tunables: a start-time override wins over the configuration, which wins over the default', async (t) => {
  const d = resolveNetworkTunables();
  for (const k of ['retryBaseMs', 'retryMaxMs', 'idleMs', 'pollWaitSeconds', 'batchSize'] as const) t.equal(d[k], defaultSyncOptions[k], `${k}: the push loop’s default`);
  t.equal(d.exchangeTlsPort, null);
  fc.assert(
    fc.property(fc.constantFrom(...networkTunables), fc.option(fc.integer({ min: 0, max: 100 })), fc.option(fc.integer({ min: 0, max: 100 })), ([key, flag, dflt, min, max], conf, over) => {
      const pick = (n: number | null) => (n === null ? undefined : min + Math.floor(((max - min) * n) / 100));
      const c = pick(conf);
      const o = pick(over);
      const r = resolveNetworkTunables(c === undefined ? {} : { [key]: c }, o === undefined ? {} : { [flag]: String(o) });
      if (r[key] !== (o ?? c ?? dflt)) throw new Error(`${key}: ${r[key]}`);
      const cfg = structuredClone(defaultConfig);
      if (c !== undefined) cfg.network.tunables = { [key]: c };
      validateConfig(cfg); // in range: accepted by the schema
    }),
  );
  t.throws(() => resolveNetworkTunables({}, { 'net-idle-ms': 'soon' }), /--net-idle-ms must be a number from 1 to 3600000, got soon/);
  const bad = structuredClone(defaultConfig);
  bad.network.tunables = { idleMs: 0 };
  t.throws(() => validateConfig(bad), /network\.tunables\.idleMs/);
});
