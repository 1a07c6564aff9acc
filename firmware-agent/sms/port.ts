// What the SMS channel needs from a modem. The composition root adapts the serial-AT driver
// (drivers/serial-at GsmModem) to this; tests use a fake. Domain code never imports a driver.

export interface IncomingPart {
  /** Storage index on the modem, for `delete` once stored; -1 when the message was not stored. */
  index: number;
  /** The modem storage the index is in ("SM", "ME", …), for `delete`. */
  storage?: string;
  /** Sender as the network gave it, e.g. "+8613800138000" or "10086". */
  from: string;
  text: string;
  /** Concatenation header, if the message is one part of several (TS 23.040 §9.2.3.24.1). */
  concat?: { reference: number; referenceBits: 8 | 16; total: number; sequence: number };
  /** Service-centre time stamp, ISO 8601 with the SC's offset. */
  scTime: string;
  /** The raw PDU (hex), kept as evidence and used to recognise a part read twice. */
  pdu: string;
}

export interface StatusReport {
  reference: number;
  recipient: string;
  outcome: 'delivered' | 'pending' | 'failed';
}

export interface UndecodablePart {
  index: number;
  storage?: string;
  pdu: string;
  /** Why, e.g. the driver's error code and the field it stopped at. */
  reason: string;
}

export interface SmsModemPort {
  onMessage(listener: (part: IncomingPart) => void): () => void;
  /** Stored messages the modem driver could not decode. */
  onUndecodable?(listener: (part: UndecodablePart) => void): () => void;
  onStatusReport(listener: (r: StatusReport) => void): () => void;
  /**
   * Resolves with the message reference of each part once the network accepted them all; rejects
   * with SmsError `sms-send-transient`, `sms-send-permanent` or `sms-modem-stopped`.
   */
  sendSms(to: string, text: string): Promise<{ references: number[] }>;
  /** Deletes a message from modem storage (the one it was read from); only called after the part is stored. */
  delete(index: number, storage?: string): Promise<void>;
}
