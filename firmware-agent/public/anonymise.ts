// Anonymisation of a typical case before it is published (信息公开): the caller's name and number, any phone
// or ID number, plates and the name a citizen is addressed by (张先生) are replaced. The supervisor sees the
// result before publishing and may edit it; `identifies` refuses a text that still names the caller.

const PHONE = /(?:\+?86[-\s]?)?(?:1[3-9]\d{9}|0\d{2,3}[-\s]?\d{7,8}|\d{7,})/g;
const ID_CARD = /\d{17}[\dXx]/g;
const PLATE = /([\u4e00-\u9fa5])([A-Z])[A-Z0-9·]{4,6}/g;
const ADDRESSED = /([\u4e00-\u9fa5])(先生|女士|师傅|小姐|老师|同志)/g;

export function anonymise(text: string, caller: { phone: string | null; name: string | null }): string {
  let s = text;
  if (caller.name && caller.name.trim().length > 0) s = s.split(caller.name.trim()).join('某市民');
  s = s.replace(ID_CARD, '[证件号]').replace(PHONE, '[电话]').replace(PLATE, '$1$2*****').replace(ADDRESSED, '某$2');
  return s;
}

/** True when `text` still carries the caller's number (or its last eight digits) or name. */
export function identifies(text: string, caller: { phone: string | null; name: string | null }): boolean {
  const digits = text.replace(/\D/g, '');
  const phone = caller.phone?.replace(/\D/g, '') ?? '';
  if (phone.length >= 8 && digits.includes(phone.slice(-8))) return true;
  const name = caller.name?.trim() ?? '';
  return name.length > 0 && text.includes(name);
}
