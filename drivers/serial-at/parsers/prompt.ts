// The `> ` prompt of AT+CMGS (TS 27.005 §3.5.1: "the TA shall send a four character sequence
// <CR><LF><greater_than><space>") has no line ending, so the line parser never delivers it. It is
// recognised as the whole of the pending partial line.

export class PromptParser {
  /** True when `pending` (the unterminated text after the last line break) is exactly the prompt. */
  matches(pending: string): boolean {
    return pending === '> ';
  }
}
