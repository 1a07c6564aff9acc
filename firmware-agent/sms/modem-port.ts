// Adapts the serial-AT driver's GsmModem to the SMS channel's port. This file is composition: the
// one place where the SMS domain meets the driver.
import { isSerialAtError, SerialAtErrorCodes } from '../../drivers/serial-at/errors.js';
import type { GsmModem } from '../../drivers/serial-at/index.js';
import { SmsError } from './errors.js';
import type { SmsModemPort } from './port.js';

export function gsmModemPort(modem: GsmModem): SmsModemPort {
  return {
    onMessage(listener) {
      return modem.on('sms', (m) =>
        listener({
          index: m.index,
          ...(m.storage ? { storage: m.storage } : {}),
          from: m.message.originator.value,
          text: m.message.text,
          ...(m.message.concat ? { concat: m.message.concat } : {}),
          scTime: m.message.timestamp.iso,
          pdu: m.pdu,
        }),
      );
    },
    onUndecodable(listener) {
      return modem.on('undecodable', (u) => listener({ index: u.index, ...(u.storage ? { storage: u.storage } : {}), pdu: u.pdu, reason: `${u.code} at ${String(u.field)}` }));
    },
    onStatusReport(listener) {
      return modem.on('statusReport', (r) => listener({ reference: r.messageReference, recipient: r.recipient.value, outcome: r.outcome }));
    },
    async sendSms(to, text) {
      try {
        const r = await modem.sendSms(to, text);
        return { references: r.references };
      } catch (err) {
        if (isSerialAtError(err, SerialAtErrorCodes.Stopped)) throw new SmsError('sms-modem-stopped', err.message);
        if (isSerialAtError(err, SerialAtErrorCodes.EncodeFailed) || isSerialAtError(err, SerialAtErrorCodes.BadOption)) {
          throw new SmsError('sms-send-permanent', err.message);
        }
        if (isSerialAtError(err, SerialAtErrorCodes.SendRejected)) throw new SmsError(err.detail.permanent === true ? 'sms-send-permanent' : 'sms-send-transient', err.message);
        throw new SmsError('sms-send-transient', err instanceof Error ? err.message : String(err));
      }
    },
    delete(index, storage) {
      return modem.delete(index, { stored: true, ...(storage ? { storage } : {}) });
    },
  };
}
