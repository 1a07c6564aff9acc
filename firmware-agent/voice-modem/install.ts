// The V.253 voice modem on an analog line (drivers/voice-modem) as a trunk driver for the calls subsystem:
//
//   edgebox start --driver voice-modem --serial /dev/ttyACM0 [--baud 115200] [--called 12328]
//                 [--compression alaw,ulaw,linear16,linear8s,linear8u] [--duplex on|off]
//                 [--at-init "AT+VGT=128;AT+VGR=128"] [--silence-hangup 10]
//
// Registered before the calls installer picks a driver (firmware-agent/subsystems.ts); the modem is built
// only when the configuration's trunk selects it, with the typed VoiceModemConfig of the composition plan
// (compose.ts, config/trunk-options.ts): the driver reads no flags and no environment.
import { createVoiceModem, COMPRESSION_KINDS, type CompressionKind, type VoiceModemConfig } from '../../drivers/voice-modem/index.js';
import type { Logger } from '../../drivers/serial-at/log.js';
import { boxClock, registerTrunkDriver } from '../calls/install.js';
import type { Installer } from '../subsystems.js';

export const installVoiceModem: Installer = async (box, opts) => {
  registerTrunkDriver('voice-modem', async () => {
    if (opts.plan.trunk.driver !== 'voice-modem') throw new Error('voice-modem: the composition plan chose another trunk driver');
    const config = opts.plan.trunk.options;
    const { trunk } = createVoiceModem(config, {
      logger: box.http.log.child({ module: 'voice-modem' }) as unknown as Logger,
      clock: boxClock(box),
    });
    return trunk; // the calls installer starts and stops it
  });
};
