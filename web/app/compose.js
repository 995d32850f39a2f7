// One-to-one email on the lead page: a template, the email exactly as the lead would get
// it (rendered by the server, shown in a sandboxed frame), the pre-send check's findings
// beside the editor, and the contact gate's answer on the Send button. Below it, the
// emails already sent to the lead and what became of them.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html, api, useLoad, Loading, Failure, when, isManager } from './lib.js';

// The gate refusals a manager or an admin may override with a reason: the contact
// policy's defaults (never unsubscribed, do_not_contact or no_consent). The check's
// answer does not say which the server's policy allows; where it was configured
// otherwise, the send's 403 override_not_allowed is shown as any refusal is.
const OVERRIDABLE = ['not_owner', 'sla_owner_only', 'quiet_hours', 'out_of_office', 'frequency_cap',
  'recent_touch_by_other', 'stage_closed', 'unknown_timezone'];
const PENDING = ['queued', 'sending', 'retrying'];

// A gate reason, a compliance refusal: code, message, and until when.
export function GateReasons({ reasons, label }) {
  if (!reasons || !reasons.length) return null;
  return html`<ul class="reasons" aria-label=${label}>${reasons.map((r) => html`
    <li class=${r.severity === 'block' ? 'block' : 'warn'} data-code=${r.code}>
      ${r.message}${r.until ? html` <span class="muted">(until ${when(r.until)})</span>` : ''}
    </li>`)}</ul>`;
}

// The pre-send check's findings: errors first, each with where, what and the fix.
export function Findings({ findings }) {
  if (!findings || !findings.length) return html`<p class="ok findings-none">The check found nothing to fix.</p>`;
  const order = { error: 0, warning: 1, info: 2 };
  const sorted = findings.slice().sort((a, b) => (order[a.severity] ?? 3) - (order[b.severity] ?? 3));
  return html`<ul class="findings" aria-label="Findings">${sorted.map((f) => html`
    <li class=${`finding ${f.severity}`} data-code=${f.code}>
      <strong>${f.severity}</strong> <span class="muted">${f.where}</span>
      <p>${f.message}</p>
      ${f.fix && html`<p class="fix">Fix: ${f.fix}</p>`}
    </li>`)}</ul>`;
}

// Template problems (a merge field the template may not use, a syntax error).
export function Problems({ problems }) {
  if (!problems || !problems.length) return null;
  return html`<ul class="findings" aria-label="Template problems">${problems.map((p) => html`
    <li class="finding error" data-code=${p.code}>
      <strong>${p.part}${p.line ? ` line ${p.line}, column ${p.column}` : ''}</strong>
      <p>${p.message}</p>
    </li>`)}</ul>`;
}

// The rendered email in a frame that runs nothing and reaches nothing of this page.
export function EmailFrame({ rendered, title }) {
  if (!rendered) return null;
  return html`<div class="email-preview">
    <p class="preview-subject"><span class="muted">Subject:</span> <strong>${rendered.subject}</strong></p>
    ${rendered.preheader && html`<p class="muted preview-preheader">${rendered.preheader}</p>`}
    <iframe sandbox="" srcdoc=${rendered.html} title=${title} class="preview-frame"></iframe>
  </div>`;
}

// What the server said about a composition (a preview, or a refused send).
export function Composition({ result, error }) {
  if (error) {
    return html`<div class="refused" role="alert" data-error=${error.code}>
      <strong>${error.code === 'template_invalid' ? 'The template has a problem:' : 'Not previewed:'}</strong> ${error.message}
      <${Problems} problems=${error.data && error.data.problems} />
    </div>`;
  }
  if (!result) return null;
  return html`<div class="composition">
    <${Problems} problems=${result.problems} />
    ${result.compliance && result.compliance.length > 0 && html`<div class="compliance">
      <strong>May not be sent to this person:</strong>
      <${GateReasons} reasons=${result.compliance} label="Compliance refusals" /></div>`}
    <${Findings} findings=${result.findings} />
  </div>`;
}

// Calls `fn` `ms` after the last change of `deps`; a newer call wins over an older answer.
function useDebounced(fn, deps, ms) {
  const seq = useRef(0);
  useEffect(() => {
    const mine = ++seq.current;
    const timer = setTimeout(() => fn(() => mine === seq.current), ms);
    return () => clearTimeout(timer);
  }, deps);
}

async function loadComposer(leadId) {
  const [templates, check] = await Promise.all([
    api('GET', '/api/v1/email-templates'),
    api('GET', `/api/v1/leads/${leadId}/contact-check?channel=email&purpose=sales_outreach`),
  ]);
  const rank = (t) => (t.purpose === 'sales_outreach' ? 0 : 1);
  const items = templates.items.slice().sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
  return { templates: items, check };
}

export function EmailSection({ lead, user, onSent }) {
  const [sent, setSent] = useState(null);  // the last email queued, and when
  if (user.role === 'viewer') return null;
  return html`<section class="card compose" aria-label="Email">
    <h2>Email</h2>
    <${Composer} lead=${lead} user=${user} key=${sent ? sent.at : 0}
      onSent=${(email) => { setSent({ email, at: Date.now() }); onSent(); }} />
    ${sent && html`<p class="ok" role="status">Email ${sent.email.status}: “${sent.email.subject}” to ${sent.email.to}.</p>`}
    <${EmailList} leadId=${lead.id} refresh=${sent ? sent.at : 0} />
  </section>`;
}

function Composer({ lead, user, onSent }) {
  const { data, error, reload } = useLoad(() => loadComposer(lead.id), [lead.id]);
  if (error) return html`<${Failure} error=${error} what="the email templates" retry=${reload} />`;
  if (!data) return html`<${Loading} what="the email templates" />`;
  if (!data.templates.length) return html`<p class="muted">No email templates yet; marketing adds them.</p>`;
  return html`<${Editor} lead=${lead} user=${user} templates=${data.templates} check=${data.check} onSent=${onSent} />`;
}

function Editor({ lead, user, templates, check, onSent }) {
  const [key, setKey] = useState(templates[0].key);
  const chosen = templates.find((t) => t.key === key);
  const [subject, setSubject] = useState(chosen.subject);
  const [body, setBody] = useState(chosen.html);
  const [preview, setPreview] = useState({ result: null, error: null, busy: true });
  const [sending, setSending] = useState(false);
  const [answer, setAnswer] = useState(null);  // the send's refusal
  const [overrideReason, setOverrideReason] = useState('');

  function choose(next) {
    const t = templates.find((x) => x.key === next);
    setKey(next);
    setSubject(t.subject);
    setBody(t.html);
    setAnswer(null);
  }
  const compose = () => ({
    template: key,
    subject: subject !== chosen.subject ? subject : undefined,
    html: body !== chosen.html ? body : undefined,
  });
  useDebounced((current) => {
    setPreview((p) => ({ ...p, busy: true }));
    api('POST', `/api/v1/leads/${lead.id}/emails/preview`, compose())
      .then((result) => current() && setPreview({ result, error: null, busy: false }))
      .catch((error) => current() && setPreview({ result: null, error, busy: false }));
  }, [key, subject, body], 400);

  const blocks = (check.reasons || []).filter((r) => r.severity === 'block');
  const mayOverride = !check.allowed && isManager(user) && blocks.every((r) => OVERRIDABLE.includes(r.code));
  const broken = preview.error || (preview.result && preview.result.blocked);
  const gateOk = check.allowed || (mayOverride && overrideReason.trim());
  const refusedLabel = blocks.map((r) => r.message).join('; ');
  const compliance = preview.result ? preview.result.compliance.filter((r) => r.severity === 'block') : [];
  const label = compliance.length ? `Not allowed: ${compliance.map((r) => r.message).join('; ')}`
    : !check.allowed && !mayOverride ? `Not allowed: ${refusedLabel}`
    : !check.allowed && !overrideReason.trim() ? 'Give a reason to override'
    : broken ? 'Fix the errors first' : sending ? 'Sending…' : check.allowed ? 'Send' : 'Send (override)';

  async function send(e) {
    e.preventDefault();
    setSending(true);
    setAnswer(null);
    try {
      const out = await api('POST', `/api/v1/leads/${lead.id}/emails`,
        { ...compose(), override_reason: !check.allowed && overrideReason.trim() ? overrideReason.trim() : undefined });
      onSent(out.email);
    } catch (err) {
      setAnswer(err);
    } finally {
      setSending(false);
    }
  }
  const rendered = preview.result && preview.result.rendered;
  return html`<form class="compose-grid" onSubmit=${send} aria-label="Compose an email">
    <div class="compose-editor stack">
      <label for="compose-template">Template</label>
      <select id="compose-template" value=${key} onChange=${(e) => choose(e.target.value)}>
        ${templates.map((t) => html`<option value=${t.key}>${t.name} (${t.purpose.replace('_', ' ')})</option>`)}
      </select>
      <label for="compose-subject">Subject</label>
      <input id="compose-subject" value=${subject} onInput=${(e) => setSubject(e.target.value)} />
      <label for="compose-body">Body (HTML)</label>
      <textarea id="compose-body" rows="10" value=${body} onInput=${(e) => setBody(e.target.value)}></textarea>
      <p class="muted">To ${lead.email}${preview.busy ? ' · checking…' : ''}</p>
      ${mayOverride && html`<label for="compose-override">Override reason (the gate refused: ${refusedLabel})</label>
        <input id="compose-override" value=${overrideReason} onInput=${(e) => setOverrideReason(e.target.value)} />`}
      <div class="row">
        <button class="primary send-email" type="submit" disabled=${!gateOk || broken || sending || preview.busy}
          title=${check.allowed ? '' : refusedLabel}>${label}</button>
      </div>
      <${GateReasons} reasons=${check.reasons} label="The contact gate" />
      ${answer && html`<div class="refused" role="alert" data-status=${answer.status}>
        <strong>Not sent:</strong> ${answer.message}
        <${GateReasons} reasons=${answer.data && (answer.data.reasons || answer.data.compliance)} label="Why not" />
        ${answer.data && answer.data.findings && html`<${Findings} findings=${answer.data.findings} />`}
      </div>`}
    </div>
    <div class="compose-check" aria-label="The check" aria-live="polite">
      <${Composition} result=${preview.result} error=${preview.error} />
      <${EmailFrame} rendered=${rendered} title="The email as the lead will get it" />
    </div>
  </form>`;
}

function EmailList({ leadId, refresh }) {
  const { data, error, reload } = useLoad(() => api('GET', `/api/v1/leads/${leadId}/emails`), [leadId, refresh]);
  const pending = data && data.items.some((e) => PENDING.includes(e.status));
  useEffect(() => {
    if (!pending) return undefined;
    const timer = setInterval(reload, 2000);
    return () => clearInterval(timer);
  }, [pending, reload]);
  if (error) return html`<${Failure} error=${error} what="the emails" retry=${reload} />`;
  if (!data) return null;
  return html`<h3>Emails</h3>
    ${!data.items.length ? html`<p class="muted">No email sent to this lead yet.</p>` : html`
    <ul class="email-list">${data.items.map((e) => html`<li data-email=${e.id} data-status=${e.status}>
      <span class=${`pill status-${e.status}`}>${e.status}</span> <strong>${e.subject}</strong>
      <span class="muted"> · ${e.kind.replace('_', ' ')} · ${when(e.sent_at || e.created_at)}</span>
      ${e.reason && html`<p class="muted">${e.reason}</p>`}
      ${e.last_error && e.status !== 'sent' && html`<p class="muted">${e.last_error}</p>`}
    </li>`)}</ul>`}`;
}
