// Adapts the serial-AT driver's GsmModem to the SMS channel's port. This file is composition: the
// one place where the SMS domain meets the driver.
import { isSerialAtError, SerialAtErrorCodes, type GsmModem } from '../../drivers/serial-at/index.js';
import { SmsSendError, type SmsModemPort } from './port.js';

export function gsmModemPort(modem: GsmModem): SmsModemPort {
  return {
    onMessage(listener) {
      return modem.on('sms', (m) =>
        listener({
          index: m.index,
          from: m.message.originator.value,
          text: m.message.text,
          ...(m.message.concat ? { concat: m.message.concat } : {}),
          scTime: m.message.timestamp.iso,
          pdu: m.pdu,
        }),
      );
    },
    onStatusReport(listener) {
      return modem.on('statusReport', (r) => listener({ reference: r.messageReference, recipient: r.recipient.value, outcome: r.outcome }));
    },
    async sendSms(to, text) {
      try {
        const r = await modem.sendSms(to, text);
        return { references: r.references };
      } catch (err) {
        if (isSerialAtError(err, SerialAtErrorCodes.Stopped)) throw new SmsSendError(err.message, false, true);
        if (isSerialAtError(err, SerialAtErrorCodes.EncodeFailed) || isSerialAtError(err, SerialAtErrorCodes.BadOption)) {
          throw new SmsSendError(err.message, true);
        }
        if (isSerialAtError(err, SerialAtErrorCodes.SendRejected)) throw new SmsSendError(err.message, err.detail.permanent === true);
        throw new SmsSendError(err instanceof Error ? err.message : String(err), false);
      }
    },
    delete(index) {
      return modem.delete(index, { stored: true });
    },
  };
}
