// The trunk section's voice-modem settings (written by `edgebox start --driver voice-modem` flags) → VoiceModemConfig (firmware-agent/config/trunk-options.ts).
import t from 'tap';
import { voiceModemOptions } from '../../firmware-agent/config/trunk-options.js';

t.test('flags become a typed, frozen configuration', async (t) => {
  const c = voiceModemOptions({ driver: 'voice-modem', serial: '/dev/ttyACM0', baud: '57600', called: '96196', compression: 'ulaw,linear16', duplex: 'off', 'at-init': 'AT+VGT=128; AT+VGR=128', 'silence-hangup': '8' });
  t.same(c, { serial: '/dev/ttyACM0', baudRate: 57600, called: '96196', compressions: ['ulaw', 'linear16'], duplex: false, extraInit: ['AT+VGT=128', 'AT+VGR=128'], silenceHangupMs: 8000 });
  t.ok(Object.isFrozen(c));
  t.same(voiceModemOptions({ serial: '/dev/ttyACM0' }), { serial: '/dev/ttyACM0' });
});

t.test('a bad flag is named', async (t) => {
  const flag = (f: Record<string, string>) => {
    try {
      voiceModemOptions(f);
      return 'accepted';
    } catch (e) {
      return (e as { flag: string }).flag;
    }
  };
  t.equal(flag({}), 'serial');
  t.equal(flag({ serial: '/dev/x', baud: 'fast' }), 'baud');
  t.equal(flag({ serial: '/dev/x', called: '12a' }), 'called');
  t.equal(flag({ serial: '/dev/x', compression: 'adpcm' }), 'compression');
  t.equal(flag({ serial: '/dev/x', duplex: 'yes' }), 'duplex');
  t.equal(flag({ serial: '/dev/x', 'at-init': 'ATD12395' }), 'at-init', 'no dialling from the init list');
  t.equal(flag({ serial: '/dev/x', 'at-init': 'AT+VLS=1' }), 'at-init', 'no going off-hook');
  t.equal(flag({ serial: '/dev/x', 'silence-hangup': '0' }), 'silence-hangup');
});
