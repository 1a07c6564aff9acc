// Referral (转介) of railway, aviation and postal matters (design §5): the caller hears 12306, 12326 or 12305,
// or is transferred there when the centre configured it and the trunk can. A caller who cannot hear an
// announcement (C3) is put through to a person who tells the number.
import type { CallContext, CallVoice, FlowDeps } from './context.js';

type Service = 'railway' | 'aviation' | 'postal';

/** 铁路/民航/邮政: announce 12306/12326/12305, or transfer when configured. */
export async function referral(d: FlowDeps, ctx: CallContext, voice: CallVoice, service: Service | null): Promise<void> {
  let svc = service;
  if (!svc) {
    if (!(await voice.play('redirect.menu', true))) return;
    const c = await d.driver.collectDigits(ctx.offered.callId, {
      max: 1,
      firstDigitTimeoutMs: d.config.ivr.digitTimeoutMs,
      signal: ctx.ac.signal,
    });
    if (ctx.ended || c.outcome === 'caller-gone' || c.outcome === 'cancelled') return;
    svc = ({ '1': 'railway', '2': 'aviation', '3': 'postal' } as const)[c.digits as '1' | '2' | '3'] ?? null;
  }
  const silent = d.driver.capabilities.play === 'none';
  if (!svc) {
    // C3: an announcement nobody can hear is no answer: a person tells the numbers.
    if (silent) return voice.toAgent('redirect-silent');
    // No sub-choice: tell all three numbers.
    voice.routed('railway-aviation-postal');
    ctx.announced = true;
    for (const s of ['route.railway', 'route.aviation', 'route.postal'] as const) if (!(await voice.play(s))) return;
    await voice.play('goodbye');
    return voice.hangup();
  }
  const target = d.config.ivr.redirects[svc];
  const canTransfer = target.transfer && !!d.driver.capabilities.transfer;
  if (silent && !canTransfer) return voice.toAgent(`redirect-${svc}-silent`);
  voice.routed(svc, target.number);
  ctx.announced = !silent;
  if (!(await voice.play(`route.${svc}`))) return;
  if (canTransfer) {
    if (!(await voice.play('route.transfer'))) return;
    if (await voice.transfer(target.number)) return;
    if (ctx.ended) return;
    // The caller could not hear the number either: a person gives it.
    if (silent) return voice.toAgent(`redirect-${svc}-failed`);
    if (!(await voice.play('route.transfer-failed'))) return;
  } else {
    await voice.play('goodbye');
  }
  return voice.hangup();
}
