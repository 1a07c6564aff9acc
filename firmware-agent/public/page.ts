// The citizens' page (issue 16 §1–§3): one mobile-first HTML5 page (also inside WeChat's browser) with three
// views — 反映问题 (file a matter), 进度查询 (look a case up, follow up, rate), 信息公开 (disclosure) — served by
// the box itself, kept out of the staff bundle: plain ES2017 script and CSS as separate files (the CSP allows
// no inline code), every text from the API placed with textContent. Simplified Chinese first, with English.
import type { FastifyInstance } from 'fastify';
import { errorBody } from '../http/errors.js';

const html = `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="format-detection" content="telephone=no">
<title>12328 交通运输服务监督 · Transport service hotline</title>
<link rel="stylesheet" href="/public/app.css">
<script src="/public/app.js" defer></script>
</head>
<body>
<header><h1>12328 交通运输服务监督<small>Transport service hotline</small></h1>
<nav>
<a href="/public/" data-view="file">反映问题<small>Report</small></a>
<a href="/public/lookup" data-view="lookup">进度查询<small>Track</small></a>
<a href="/public/disclosure" data-view="disclosure">信息公开<small>Disclosure</small></a>
</nav></header>
<main>
<section id="file" hidden>
<form id="intake" novalidate>
<label>类型 Type<select name="type" required></select></label>
<label>行业 Industry<select name="domain" required></select></label>
<label>发生地区 Where<select name="region" required></select></label>
<label>具体地点 Place (可选 optional)<input name="location" maxlength="200"></label>
<label>情况描述 What happened<textarea name="description" required minlength="5" maxlength="2000" rows="5"></textarea></label>
<label>照片 Photos (JPEG/PNG，最多3张 up to 3)<input name="photos" type="file" accept="image/jpeg,image/png" multiple></label>
<label>姓名 Name (可选 optional)<input name="name" maxlength="40"></label>
<label>手机号 Phone<input name="phone" type="tel" inputmode="numeric" required maxlength="12"></label>
<div id="code-row" hidden><label>验证码 Code<input name="code" inputmode="numeric" maxlength="6"></label>
<button type="button" id="send-code">获取验证码 Send code</button></div>
<p class="note">您的手机号和姓名仅用于办理和回访，不会公开。Your phone and name are used only to handle your matter and are never published.</p>
<button type="submit">提交 Submit</button>
<p class="msg" id="intake-msg" role="status"></p>
</form>
<div id="filed" hidden><h2>已受理 Received</h2><p>工单号 Ticket number：<strong id="filed-number"></strong></p>
<p id="filed-sms"></p><p>请凭工单号和手机号后四位查询进度。Use the number and the last four digits of your phone to track it.</p></div>
</section>
<section id="lookup" hidden>
<form id="lookup-form" novalidate>
<label>工单号 Ticket number<input name="number" inputmode="numeric" maxlength="19" required></label>
<label>手机号后四位 Last four digits of your phone<input name="phoneLast4" inputmode="numeric" maxlength="4" required></label>
<button type="submit">查询 Look up</button>
<p class="msg" id="lookup-msg" role="status"></p>
</form>
<div id="case" hidden>
<dl>
<dt>工单号 Number</dt><dd id="case-number"></dd>
<dt>类型 Type</dt><dd id="case-type"></dd>
<dt>状态 Status</dt><dd id="case-status"></dd>
<dt>受理时间 Received</dt><dd id="case-received"></dd>
<dt>办理期限 Due</dt><dd id="case-due"></dd>
<dt>回复时间 Replied</dt><dd id="case-replied"></dd>
<dt>办结时间 Closed</dt><dd id="case-closed"></dd>
<dt>办理结果 Result</dt><dd id="case-result"></dd>
<dt>您的评价 Your rating</dt><dd id="case-rating"></dd>
</dl>
<form id="rate-form" hidden><fieldset><legend>请评价办理结果 Rate the result</legend><div id="rate-options"></div>
<label>意见 Comment (可选 optional)<input name="note" maxlength="500"></label>
<button type="submit">提交评价 Submit rating</button></fieldset></form>
<form id="follow-form"><label>补充情况 Add information<textarea name="text" maxlength="1000" rows="3"></textarea></label>
<button type="submit">提交补充 Add</button></form>
<p class="msg" id="case-msg" role="status"></p>
</div>
</section>
<section id="disclosure" hidden>
<form id="month-form"><label>月份 Month<input name="month" type="month"></label><button type="submit">查看 Show</button></form>
<h2>本月概况 Figures of the month</h2>
<p>受理总量 Total：<strong id="d-total"></strong></p>
<h3>按类型 By type</h3><table id="d-type"><tbody></tbody></table>
<h3>按行业 By industry</h3><table id="d-industry"><tbody></tbody></table>
<h3>办结与满意 On time and satisfaction</h3><table id="d-rates"><tbody></tbody></table>
<h2>典型案例 Typical cases</h2><div id="d-cases"></div>
</section>
</main>
<footer>12328 · 交通运输服务监督电话</footer>
</body>
</html>
`;

const css = `*{box-sizing:border-box}body{margin:0;font:16px/1.5 -apple-system,"PingFang SC","Microsoft YaHei",sans-serif;color:#222;background:#f4f6f8}
header{background:#0b5394;color:#fff;padding:.6em 1em}h1{font-size:1.15em;margin:0}h1 small,nav small,label small{display:block;font-size:.7em;font-weight:normal;opacity:.85}
nav{display:flex;gap:.5em;margin-top:.5em}nav a{flex:1;color:#fff;text-decoration:none;text-align:center;padding:.4em;border-radius:6px;background:rgba(255,255,255,.12)}nav a.on{background:#fff;color:#0b5394}
main{max-width:720px;margin:0 auto;padding:1em}label{display:block;margin:.7em 0;font-weight:600}input,select,textarea,button{display:block;width:100%;font:inherit;margin-top:.25em;padding:.55em;border:1px solid #bbb;border-radius:6px;background:#fff}
button{background:#0b5394;color:#fff;border:0;font-weight:600;margin-top:.8em;min-height:44px}button[disabled]{opacity:.5}#code-row{display:flex;gap:.5em;align-items:end}#code-row[hidden]{display:none}#code-row label{flex:1;margin:0}#code-row button{width:auto;white-space:nowrap}
.msg{color:#b00020;min-height:1.5em}.note{font-size:.85em;color:#555}dl{display:grid;grid-template-columns:auto 1fr;gap:.3em .8em;background:#fff;padding:.8em;border-radius:6px}dt{color:#555}dd{margin:0;white-space:pre-wrap;word-break:break-all}
table{width:100%;border-collapse:collapse;background:#fff}td{border-bottom:1px solid #e3e3e3;padding:.35em .5em}td:last-child{text-align:right}
.case{background:#fff;border-radius:6px;padding:.8em;margin:.6em 0;white-space:pre-wrap}#rate-options label{display:inline-flex;gap:.3em;margin-right:1em;font-weight:normal}#rate-options input{width:auto;display:inline}
footer{text-align:center;color:#777;font-size:.85em;padding:2em 0}@media (min-width:900px){main{padding:2em}}`;

const js = `'use strict';
(function () {
  var $ = function (id) { return document.getElementById(id); };
  var form = null;
  function api(method, url, body) {
    return fetch(url, { method: method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined, credentials: 'omit' })
      .then(function (r) { return r.text().then(function (t) { var j = t ? JSON.parse(t) : null; if (!r.ok) { var e = new Error((j && j.error && (j.error.messageZh + ' ' + j.error.message)) || r.status); e.code = j && j.error && j.error.code; throw e; } return j; }); });
  }
  function show(view) {
    ['file', 'lookup', 'disclosure'].forEach(function (v) { $(v).hidden = v !== view; });
    var links = document.querySelectorAll('nav a');
    for (var i = 0; i < links.length; i++) links[i].className = links[i].getAttribute('data-view') === view ? 'on' : '';
    if (view === 'disclosure') loadDisclosure();
  }
  function opt(sel, value, text) { var o = document.createElement('option'); o.value = value; o.textContent = text; sel.appendChild(o); }
  function day(iso) { return iso ? new Date(iso).toLocaleString('zh-CN', { hour12: false }) : '—'; }
  function loadForm() {
    return api('GET', '/public/api/form').then(function (f) {
      form = f;
      var el = $('intake').elements;
      f.types.forEach(function (t) { opt(el.type, t.code, t.zh + ' ' + t.en); });
      f.domains.forEach(function (d) { opt(el.domain, d.code, d.zh + ' ' + d.en); });
      f.regions.forEach(function (r) { opt(el.region, r.code, r.name); });
      $('code-row').hidden = !f.smsConfirmation;
      var ro = $('rate-options');
      f.satisfactions.forEach(function (s, i) {
        var l = document.createElement('label'); var r = document.createElement('input'); r.type = 'radio'; r.name = 'satisfaction'; r.value = s.code; if (i === 0) r.checked = true;
        l.appendChild(r); l.appendChild(document.createTextNode(s.zh + ' ' + s.en)); ro.appendChild(l);
      });
    });
  }
  function readPhotos(files) {
    var list = Array.prototype.slice.call(files || [], 0, form ? form.limits.maxPhotos : 3);
    return Promise.all(list.map(function (file) {
      return new Promise(function (resolve, reject) {
        var rd = new FileReader();
        rd.onload = function () { resolve({ data: String(rd.result).split(',')[1] || '' }); };
        rd.onerror = function () { reject(new Error('照片读取失败 Could not read the photo')); };
        rd.readAsDataURL(file);
      });
    }));
  }
  $('send-code').addEventListener('click', function () {
    var b = $('send-code'); b.disabled = true;
    api('POST', '/public/api/code', { phone: $('intake').elements.phone.value.trim() })
      .then(function () { $('intake-msg').textContent = '验证码已发送 Code sent'; })
      .catch(function (e) { $('intake-msg').textContent = e.message; })
      .then(function () { setTimeout(function () { b.disabled = false; }, 30000); });
  });
  $('intake').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var el = this.elements; var btn = this.querySelector('button[type=submit]'); btn.disabled = true; $('intake-msg').textContent = '';
    readPhotos(el.photos.files).then(function (photos) {
      var body = { type: el.type.value, domain: el.domain.value, region: el.region.value, description: el.description.value, phone: el.phone.value.trim() };
      if (el.location.value.trim()) body.location = el.location.value.trim();
      if (el.name.value.trim()) body.name = el.name.value.trim();
      if (form && form.smsConfirmation) body.code = el.code.value.trim();
      if (photos.length) body.photos = photos;
      return api('POST', '/public/api/tickets', body);
    }).then(function (r) {
      $('intake').hidden = true; $('filed').hidden = false; $('filed-number').textContent = r.number;
      $('filed-sms').textContent = r.smsSent ? '工单号已通过短信发送到您的手机。The number was also sent to your phone by SMS.' : '';
    }).catch(function (e) { $('intake-msg').textContent = e.message; }).then(function () { btn.disabled = false; });
  });
  var current = null;
  function showCase(c) {
    $('case').hidden = false;
    $('case-number').textContent = c.number; $('case-type').textContent = c.type.zh + ' ' + c.type.en; $('case-status').textContent = c.status.zh + ' ' + c.status.en;
    $('case-received').textContent = day(c.dates.receivedAt); $('case-due').textContent = day(c.dates.dueAt); $('case-replied').textContent = day(c.dates.repliedAt); $('case-closed').textContent = day(c.dates.closedAt);
    $('case-result').textContent = c.result || '办理中 In progress';
    var s = form && form.satisfactions.filter(function (x) { return x.code === c.rating; })[0];
    $('case-rating').textContent = s ? s.zh + ' ' + s.en : '—';
    $('rate-form').hidden = !c.canRate;
    $('follow-form').hidden = c.status.code === 'closed' || c.status.code === 'archived';
  }
  $('lookup-form').addEventListener('submit', function (ev) {
    ev.preventDefault(); var el = this.elements; $('lookup-msg').textContent = '';
    current = { number: el.number.value.trim(), phoneLast4: el.phoneLast4.value.trim() };
    api('POST', '/public/api/cases/lookup', current).then(showCase).catch(function (e) { $('case').hidden = true; $('lookup-msg').textContent = e.message; });
  });
  $('rate-form').addEventListener('submit', function (ev) {
    ev.preventDefault(); var el = this.elements; var checked = this.querySelector('input[name=satisfaction]:checked');
    var body = { number: current.number, phoneLast4: current.phoneLast4, satisfaction: checked ? checked.value : 'satisfied' };
    if (el.note.value.trim()) body.note = el.note.value.trim();
    api('POST', '/public/api/cases/rating', body).then(function (c) { showCase(c); $('case-msg').textContent = '感谢您的评价 Thank you for your rating'; }).catch(function (e) { $('case-msg').textContent = e.message; });
  });
  $('follow-form').addEventListener('submit', function (ev) {
    ev.preventDefault(); var el = this.elements;
    api('POST', '/public/api/cases/follow-up', { number: current.number, phoneLast4: current.phoneLast4, text: el.text.value.trim() })
      .then(function (c) { el.text.value = ''; showCase(c); $('case-msg').textContent = '已补充 Added'; }).catch(function (e) { $('case-msg').textContent = e.message; });
  });
  function rows(tbody, list) {
    tbody.textContent = '';
    list.forEach(function (r) { var tr = document.createElement('tr'); r.forEach(function (v) { var td = document.createElement('td'); td.textContent = v; tr.appendChild(td); }); tbody.appendChild(tr); });
  }
  var rateNames = { nonComplaintOnTimeRate: '非投诉举报类限时办结率 On time (other)', complaintOnTimeRate: '投诉举报类限时办结率 On time (complaints)', immediateAnswerSatisfactionRate: '即时答复满意率 Satisfaction (answered at once)', complaintVisitSatisfactionRate: '投诉举报类回访满意率 Satisfaction (complaints)' };
  function pct(r) { return r === null || r === undefined ? '—' : (r * 100).toFixed(1) + '%'; }
  function loadDisclosure() {
    var m = $('month-form').elements.month.value;
    api('GET', '/public/api/disclosure' + (m ? '?month=' + encodeURIComponent(m) : '')).then(function (d) {
      $('month-form').elements.month.value = d.month; $('d-total').textContent = String(d.total);
      rows($('d-type').tBodies[0], d.byType.map(function (f) { return [f.zh, String(f.count)]; }));
      rows($('d-industry').tBodies[0], d.byIndustry.filter(function (f) { return f.count > 0; }).map(function (f) { return [f.zh, String(f.count)]; }));
      rows($('d-rates').tBodies[0], Object.keys(d.rates).map(function (k) { return [rateNames[k] || k, pct(d.rates[k].rate)]; }));
      var box = $('d-cases'); box.textContent = '';
      if (!d.cases.length) box.textContent = '本月暂无 None this month';
      d.cases.forEach(function (c) { var div = document.createElement('div'); div.className = 'case'; var h = document.createElement('h3'); h.textContent = c.title; var p = document.createElement('p'); p.textContent = c.text; div.appendChild(h); div.appendChild(p); box.appendChild(div); });
    }).catch(function (e) { $('d-total').textContent = e.message; });
  }
  $('month-form').addEventListener('submit', function (ev) { ev.preventDefault(); loadDisclosure(); });
  var view = /\\/disclosure$/.test(location.pathname) ? 'disclosure' : /\\/lookup$/.test(location.pathname) ? 'lookup' : 'file';
  loadForm().catch(function (e) { $('intake-msg').textContent = e.message; }).then(function () { show(view); });
  var links = document.querySelectorAll('nav a');
  for (var i = 0; i < links.length; i++) links[i].addEventListener('click', function (ev) { ev.preventDefault(); var v = this.getAttribute('data-view'); history.pushState(null, '', this.getAttribute('href')); show(v); });
})();
`;

export async function pageRoutes(app: FastifyInstance): Promise<void> {
  const page = { schema: { hide: true } };
  for (const url of ['/public', '/public/', '/public/lookup', '/public/disclosure']) {
    app.get(url, page, async (_req, reply) => reply.type('text/html; charset=utf-8').send(html));
  }
  app.get('/public/app.js', page, async (_req, reply) => reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(js));
  // Anything else under the prefix is no route — never the staff UI's index.html (its fallback for unknown paths).
  app.all('/public/*', page, async (request, reply) => reply.code(404).send(errorBody('route-not-found', `no route ${request.method} ${request.url.split('?')[0]}`)));
  app.get('/public/app.css', page, async (_req, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'no-cache').send(css));
}
