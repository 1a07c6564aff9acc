/** Values from libpri.h (libpri 1.6.0, Debian libpri1.4). Names keep the C spelling after the prefix. */

export const PRI_NETWORK = 1;
export const PRI_CPE = 2;

export const SWITCH_TYPES = {
  ni2: 1,
  dms100: 2,
  lucent5e: 3,
  att4ess: 4,
  euroisdn_e1: 5,
  euroisdn_t1: 6,
  ni1: 7,
  qsig: 10,
} as const;
export type SwitchTypeName = keyof typeof SWITCH_TYPES;

export const EV = {
  DCHAN_UP: 1,
  DCHAN_DOWN: 2,
  RESTART: 3,
  CONFIG_ERR: 4,
  RING: 5,
  HANGUP: 6,
  RINGING: 7,
  ANSWER: 8,
  HANGUP_ACK: 9,
  RESTART_ACK: 10,
  FACILITY: 11,
  INFO_RECEIVED: 12,
  PROCEEDING: 13,
  SETUP_ACK: 14,
  HANGUP_REQ: 15,
  NOTIFY: 16,
  PROGRESS: 17,
  KEYPAD_DIGIT: 18,
  SERVICE: 19,
  SERVICE_ACK: 20,
  HOLD: 21,
  HOLD_ACK: 22,
  HOLD_REJ: 23,
  RETRIEVE: 24,
  RETRIEVE_ACK: 25,
  RETRIEVE_REJ: 26,
  CONNECT_ACK: 27,
} as const;

/** Q.931 §4.5.8 / Q.850 presentation indicator bits as libpri encodes them. */
export const PRES_ALLOWED_USER_NUMBER_NOT_SCREENED = 0x00;
export const PRI_PRES_RESTRICTION = 0x60;
export const PRI_PRES_RESTRICTED = 0x20;
export const PRI_PRES_UNAVAILABLE = 0x40;

/** Q.931 §4.5.5 bearer capability: speech, A-law layer 1. */
export const PRI_TRANS_CAP_SPEECH = 0x0;
export const PRI_LAYER_1_ALAW = 0x23;

/** Q.850 cause values used by the driver (Q.850 Table 1). */
export const CAUSE = {
  UNALLOCATED: 1,
  NO_ROUTE_DESTINATION: 3,
  CHANNEL_UNACCEPTABLE: 6,
  NORMAL_CLEARING: 16,
  USER_BUSY: 17,
  NO_USER_RESPONSE: 18,
  NO_ANSWER: 19,
  CALL_REJECTED: 21,
  NUMBER_CHANGED: 22,
  DESTINATION_OUT_OF_ORDER: 27,
  INVALID_NUMBER_FORMAT: 28,
  NORMAL_UNSPECIFIED: 31,
  NORMAL_CIRCUIT_CONGESTION: 34,
  NETWORK_OUT_OF_ORDER: 38,
  NORMAL_TEMPORARY_FAILURE: 41,
  SWITCH_CONGESTION: 42,
  REQUESTED_CHAN_UNAVAIL: 44,
  RESOURCE_UNAVAIL_UNSPECIFIED: 47,
  INCOMING_CALL_BARRED: 54,
  BEARERCAPABILITY_NOTAVAIL: 58,
  INVALID_CALL_REFERENCE: 81,
  IDENTIFIED_CHANNEL_NOTEXIST: 82,
  MANDATORY_IE_MISSING: 96,
  RECOVERY_ON_TIMER_EXPIRE: 102,
  PROTOCOL_ERROR: 111,
  INTERWORKING: 127,
} as const;

/** libpri packs channel numbers as (span << 8) | channel, with an 0x10000 "explicit" flag; PRI_CHANNEL() extracts the B-channel. */
export function priChannel(p: number): number {
  return p < 0 ? -1 : p & 0xff;
}
