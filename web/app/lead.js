// The lead page: the handoff brief, every action a rep or a manager takes on the lead
// (each through the API's rules: a refused contact shows the gate's reasons), email to
// the lead (compose.js), and the timeline, newest first.
import { useEffect, useState } from 'preact/hooks';
import {
  html, api, useLoad, Loading, Failure, Empty, SlaClock, Score, Priority, ago, when,
  leadName, subtitle, sourceText, isManager, loadUsers, useSubmit, dayIn, signed,
} from './lib.js';
import { EmailSection } from './compose.js';
import { LeadEnrolments } from './sequences.js';
import { Replies } from './replies.js';

const CONTACT_CHANNELS = [['call', 'Call'], ['email', 'Email'], ['meeting', 'Meeting']];
const ALL_CHANNELS = ['email', 'call', 'sms', 'social', 'meeting', 'mail'];
const DNC_CHOICES = [...ALL_CHANNELS, 'all'];

async function loadLead(id) {
  const [lead, brief, timeline, preferences, users, ...checks] = await Promise.all([
    api('GET', `/api/v1/leads/${id}`),
    api('GET', `/api/v1/leads/${id}/brief`),
    api('GET', `/api/v1/leads/${id}/timeline?limit=500`),
    api('GET', `/api/v1/leads/${id}/preferences`),
    loadUsers().catch(() => []),
    ...CONTACT_CHANNELS.map(([channel]) => api('GET', `/api/v1/leads/${id}/contact-check?channel=${channel}`)),
  ]);
  const contact = {};
  CONTACT_CHANNELS.forEach(([channel], i) => { contact[channel] = checks[i]; });
  const names = Object.fromEntries(users.map((u) => [u.id, u.name]));
  return { lead, brief, timeline: timeline.items.slice().reverse(), preferences, contact, names };
}

export function LeadPage({ id, user }) {
  const { data, error, loading, reload } = useLoad(() => loadLead(id), [id]);
  useEffect(() => { if (data) document.title = `${leadName(data.lead)} · Tandem`; }, [data]);
  if (error) {
    return error.status === 404
      ? html`<${Empty} title="No such lead">${error.message}. <a href="#/search">Search the leads</a>.<//>`
      : html`<${Failure} error=${error} what="this lead" retry=${reload} />`;
  }
  if (!data) return html`<${Loading} what="the lead and its brief" />`;
  const { lead, brief } = data;
  const now = Date.now();  // for "3 days ago"; the SLA clock ticks by itself
  const mine = lead.owner && lead.owner.id === user.id;
  return html`
    <article class=${`lead-page ${loading ? 'refreshing' : ''}`} data-lead=${lead.id}>
      <header class="lead-head card">
        <div>
          <h1>${leadName(lead)}</h1>
          <p class="muted">${subtitle(lead) || 'No title or company known'} · ${lead.email}${lead.company && lead.company.domain
            ? html` · <a href=${`#/accounts/${encodeURIComponent(lead.company.domain)}`}>the account</a>` : ''}</p>
        </div>
        <dl class="facts">
          <div><dt>Stage</dt><dd class="stage">${lead.stage}${lead.stage_reason ? html` <span class="muted">(${lead.stage_reason.replaceAll('_', ' ')})</span>` : ''}</dd></div>
          ${lead.revisit_on && html`<div><dt>Revisit on</dt><dd class="revisit">${lead.revisit_on.slice(0, 10)} <span class="muted">(${ago(lead.revisit_on, now)})</span></dd></div>`}
          <div><dt>Priority</dt><dd><${Priority} priority=${lead.priority} /></dd></div>
          <div><dt>Score</dt><dd><${Score} score=${lead.score} /></dd></div>
          <div><dt>Owner</dt><dd class="owner">${lead.owner ? lead.owner.name : lead.queued ? 'fallback queue' : 'unassigned'}${mine ? ' (you)' : ''}</dd></div>
          <div><dt>First contact</dt><dd><${SlaClock} sla=${lead.sla} /></dd></div>
          <div><dt>Source</dt><dd class="source">${sourceText(lead.first_touch)}</dd></div>
        </dl>
      </header>
      <div class="lead-grid">
        <div class="lead-main">
          <${WhyNow} brief=${brief} />
          <${Contact} lead=${lead} contact=${data.contact} brief=${brief} user=${user} onDone=${reload} />
          <${EmailSection} lead=${lead} user=${user} onSent=${reload} />
          <${Replies} title="Replies from this lead" query=${`lead=${lead.id}`}
            emptyText="No reply or out-of-office answer from this lead yet." linkLead=${false} />
          <${TalkingPoints} brief=${brief} />
          <${Journey} brief=${brief} now=${now} />
          <${Timeline} items=${data.timeline} names=${data.names} now=${now} />
        </div>
        <aside class="lead-side">
          <${Who} brief=${brief} />
          <${ScoreReasons} brief=${brief} />
          <${Campaigns} brief=${brief} />
          <${History} brief=${brief} now=${now} />
          <${Outcome} lead=${lead} user=${user} onDone=${reload} />
          <${LeadEnrolments} lead=${lead} user=${user} onChanged=${reload} />
          <${Preferences} lead=${lead} preferences=${data.preferences} user=${user} onDone=${reload} />
          ${isManager(user) && html`<${Reassign} lead=${lead} onDone=${reload} />`}
        </aside>
      </div>
    </article>`;
}

function Section({ title, children, cls = '' }) {
  return html`<section class=${`card ${cls}`} aria-label=${title}><h2>${title}</h2>${children}</section>`;
}

function WhyNow({ brief }) {
  const why = brief.why_now;
  return html`<${Section} title="Why now" cls="why-now">
    <p class="why-text">${why.text || why.note || 'No trigger recorded yet.'}</p>
    ${brief.next_step && html`<p class="next-step"><strong>Next step:</strong> ${brief.next_step.action}</p>
      <p class="muted">${brief.next_step.sla}</p>`}
  <//>`;
}

function Reasons({ reasons }) {
  if (!reasons || !reasons.length) return null;
  return html`<ul class="reasons">${reasons.map((r) => html`
    <li class=${r.severity === 'block' ? 'block' : 'warn'} data-code=${r.code}>
      ${r.message}${r.until ? html` <span class="muted">(until ${when(r.until)})</span>` : ''}
    </li>`)}</ul>`;
}

// Call, email and meeting buttons that already know what the contact gate allows the
// signed-in user to do now; logging one records the touch through the same gate.
function Contact({ lead, contact, brief, user, onDone }) {
  const [open, setOpen] = useState(null);
  const [done, setDone] = useState(null);
  const phone = brief.who && brief.who.phone;
  const { busy, error: refused, submit: log } = useSubmit(async (form) => {
    const note = form.get('note');
    const touch = await api('POST', `/api/v1/leads/${lead.id}/touches`, { channel: open, note: note || undefined })
      .catch((err) => {
        if (err.status === 409) onDone();  // the gate said no: show the buttons as they are now
        throw err;
      });
    setDone(`${open[0].toUpperCase()}${open.slice(1)} logged${touch.reasons && touch.reasons.length ? ' (with warnings)' : ''}.`);
    setOpen(null);
    onDone();
  });
  if (user.role === 'viewer') {
    return html`<${Section} title="Contact"><p class="muted">Viewers read leads; they do not contact them.</p><//>`;
  }
  return html`<${Section} title="Contact" cls="contact">
    <div class="contact-buttons">
      ${CONTACT_CHANNELS.map(([channel, label]) => {
        const check = contact[channel];
        return html`<div class="contact-channel" data-channel=${channel}>
          <button class=${check.allowed ? 'primary' : ''} disabled=${!check.allowed}
            aria-pressed=${open === channel} onClick=${() => { setOpen(channel); setDone(null); }}>
            ${check.allowed ? `Log ${label.toLowerCase()}` : `${label} not allowed`}
          </button>
          <${Reasons} reasons=${check.reasons} />
        </div>`;
      })}
    </div>
    ${phone && html`<p class="muted">Phone: <a href=${`tel:${phone}`}>${phone}</a></p>`}
    ${open && html`<form class="touch-form" onSubmit=${log} aria-label="Log a touch">
      <label for="touch-note">What happened on this ${open}?</label>
      <textarea id="touch-note" name="note" rows="2"
        placeholder="Left a voicemail about their search budget question"></textarea>
      <div class="row">
        <button class="primary" type="submit" disabled=${busy}>${busy ? 'Logging…' : `Log ${open}`}</button>
        <button type="button" onClick=${() => setOpen(null)}>Cancel</button>
      </div>
    </form>`}
    ${refused && html`<div class="refused" role="alert"><strong>Not recorded:</strong> ${refused.message}<${Reasons} reasons=${refused.data && refused.data.reasons} /></div>`}
    ${done && html`<p class="ok" role="status">${done}</p>`}
  <//>`;
}

function TalkingPoints({ brief }) {
  const tp = brief.talking_points;
  if (!tp || !tp.points.length) {
    return html`<${Section} title="Talking points"><p class="muted">No content engagement to build talking points on yet.</p><//>`;
  }
  return html`<${Section} title="Talking points" cls="talking-points">
    <ol class="points">${tp.points.map((p) => html`<li>
      <strong>${p.title}</strong> <span class="muted">· ${p.topic} · ${p.engaged}</span>
      <p>${p.angle}</p>
      <ul class="questions">${p.questions.map((q) => html`<li>“${q}”</li>`)}</ul>
    </li>`)}</ol>
    ${tp.dont && tp.dont.length > 0 && html`<h3>Don't</h3><ul class="dont">${tp.dont.map((d) => html`<li>${d}</li>`)}</ul>`}
  <//>`;
}

function Journey({ brief, now }) {
  const j = brief.journey;
  return html`<${Section} title="Journey">
    <p>${j.text}</p>
    ${j.topics && j.topics.length > 0 && html`<p class="topics">${j.topics.map((t) => html`<span class="pill">${t.topic}</span>`)}</p>`}
    ${j.key_moments && j.key_moments.length > 0 && html`<ul class="moments">${j.key_moments.map((m) => html`
      <li><span class="muted" title=${when(m.at)}>${ago(m.at, now)}</span> ${m.text}</li>`)}</ul>`}
  <//>`;
}

function Who({ brief }) {
  const w = brief.who;
  const rows = [['Name', w.name], ['Title', w.title], ['Company', w.company], ['Size', w.company_size],
    ['Industry', w.industry], ['Email', w.email], ['Phone', w.phone], ['Location', w.location],
    ['Local time', w.local_time && `${w.local_time} (${w.timezone})`], ['Prefers', w.preferred_channel]];
  return html`<${Section} title="Who">
    <dl class="who">${rows.filter(([, v]) => v).map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>
    ${w.unknown && w.unknown.length > 0 && html`<p class="muted">Unknown: ${w.unknown.join(', ')}</p>`}
  <//>`;
}

function ScoreReasons({ brief }) {
  const s = brief.score;
  return html`<${Section} title="Score">
    <p><strong>${Math.round(s.total)}</strong> <span class="muted">= fit ${s.fit.toFixed(1)} + engagement ${s.engagement.toFixed(1)}</span></p>
    <ul class="score-reasons">${(s.top_reasons || []).map((r) => html`<li>${signed(r.points)} ${r.because}</li>`)}</ul>
  <//>`;
}

function Campaigns({ brief }) {
  const c = brief.campaign;
  if (!c || (!c.campaigns.length && !c.not_in_catalog.length)) return null;
  return html`<${Section} title="Campaign">
    ${c.campaigns.map((k) => html`<div class="campaign"><strong>${k.name}</strong> <span class="muted">(${k.via})</span>
      ${k.key_message && html`<p>${k.key_message}</p>`}${k.offer && html`<p class="muted">Offer: ${k.offer}</p>`}</div>`)}
    ${c.not_in_catalog.length > 0 && html`<p class="muted">Not in the catalog: ${c.not_in_catalog.join(', ')}</p>`}
  <//>`;
}

function History({ brief, now }) {
  const hst = brief.history;
  const empty = !hst.touches.length && !hst.outcomes.length && !hst.previous_owners.length && !hst.recycled.length;
  return html`<${Section} title="Sales history">
    ${empty ? html`<p class="muted">Nobody from sales has been in touch yet.</p>` : html`<ul class="history">
      ${hst.touches.map((t) => html`<li><span class="muted" title=${when(t.at)}>${ago(t.at, now)}</span> ${t.by}: ${t.direction} ${t.channel}${t.note ? ` — ${t.note}` : ''}</li>`)}
      ${hst.outcomes.map((o) => html`<li><span class="muted" title=${when(o.at)}>${ago(o.at, now)}</span> ${o.by}: ${o.disposition}${o.reason ? ` (${o.reason})` : ''}${o.amount != null ? `, ${o.amount}` : ''}</li>`)}
      ${hst.recycled.map((r) => html`<li><span class="muted" title=${when(r.at)}>${ago(r.at, now)}</span> ${r.to} by ${r.by}${r.reason ? `: ${r.reason}` : ''}</li>`)}
      ${hst.previous_owners.map((o) => html`<li>Owned by ${o.owner} ${ago(o.from, now)} until ${ago(o.until, now)}${o.end_reason ? ` (${o.end_reason})` : ''}${o.sla_missed ? ' — missed the first-contact SLA' : ''}</li>`)}
    </ul>`}
    ${hst.earlier_touches > 0 && html`<p class="muted">and ${hst.earlier_touches} earlier touches</p>`}
  <//>`;
}

// What the owner may record from each stage; the server decides, this only offers.
const DISPOSITIONS = {
  mql: ['accepted', 'rejected', 'recycled'],
  sal: ['qualified', 'rejected', 'recycled'],
  sql: ['opportunity', 'lost', 'recycled'],
  opportunity: ['won', 'lost'],
};
const REJECT_REASONS = ['bad_fit', 'no_budget', 'wrong_contact', 'not_ready', 'duplicate', 'spam', 'competitor', 'student', 'other'];

function Outcome({ lead, user, onDone }) {
  const choices = DISPOSITIONS[lead.stage] || [];
  const [disposition, setDisposition] = useState('');
  const { busy, error, submit } = useSubmit(async (form) => {
    const body = { disposition };
    for (const key of ['reason', 'revisit_on']) if (form.get(key)) body[key] = form.get(key);
    if (form.get('amount')) body.amount = Number(form.get('amount'));
    await api('POST', `/api/v1/leads/${lead.id}/outcome`, body);
    setDisposition('');
    onDone();
  });
  const mine = lead.owner && lead.owner.id === user.id;
  if (!choices.length || !(mine || isManager(user))) return null;  // the owner's (or a manager's) call
  const needsReason = ['rejected', 'lost', 'recycled'].includes(disposition);
  return html`<${Section} title="Outcome">
    <form class="stack" onSubmit=${submit} aria-label="Record an outcome">
      <label for="disposition">Result</label>
      <select id="disposition" value=${disposition} onChange=${(e) => setDisposition(e.target.value)} required>
        <option value="">Choose…</option>
        ${choices.map((c) => html`<option value=${c}>${c}</option>`)}
      </select>
      ${disposition === 'rejected' && html`<label for="reason">Reason</label>
        <select id="reason" name="reason" required><option value="">Choose…</option>${REJECT_REASONS.map((r) => html`<option value=${r}>${r.replace('_', ' ')}</option>`)}</select>`}
      ${needsReason && disposition !== 'rejected' && html`<label for="reason">Reason</label><input id="reason" name="reason" required />`}
      ${disposition === 'recycled' && html`<label for="revisit_on">Revisit on</label><input id="revisit_on" name="revisit_on" type="date" required />`}
      ${['opportunity', 'won'].includes(disposition) && html`<label for="amount">Amount</label><input id="amount" name="amount" type="number" min="0" step="any" required />`}
      <button type="submit" disabled=${busy || !disposition}>${busy ? 'Saving…' : 'Record outcome'}</button>
      ${error && html`<p class="error" role="alert">${error.message}</p>`}
    </form>
  <//>`;
}

function Preferences({ lead, preferences: p, user, onDone }) {
  const [saved, setSaved] = useState(false);
  const mayEdit = user.role !== 'viewer' && user.role !== 'sales_rep' || (lead.owner && lead.owner.id === user.id);
  const ooo = p.out_of_office;
  const { error, submit } = useSubmit(async (form) => {
    const from = form.get('ooo_from');
    const until = form.get('ooo_until');
    setSaved(false);
    await api('PUT', `/api/v1/leads/${lead.id}/preferences`, {
      preferred_channel: form.get('preferred_channel') || null,
      timezone: form.get('timezone') || null,
      do_not_contact: DNC_CHOICES.filter((c) => form.get(`dnc_${c}`))
        .map((channel) => ({ channel, reason: (form.get(`dnc_reason_${channel}`) || '').trim() })),
      out_of_office: from || until ? { from: from || new Date().toISOString().slice(0, 10), until } : null,
    });
    setSaved(true);
    onDone();
  });
  return html`<${Section} title="Preferences">
    ${p.unsubscribed && html`<p class="warn-text">Unsubscribed ${when(p.unsubscribed_at)}: no email marketing.</p>`}
    <form class="stack" onSubmit=${submit} aria-label="Contact preferences">
      <fieldset disabled=${!mayEdit}>
        <label for="preferred_channel">Preferred channel</label>
        <select id="preferred_channel" name="preferred_channel" value=${p.preferred_channel || ''}>
          <option value="">No preference</option>${ALL_CHANNELS.map((c) => html`<option value=${c}>${c}</option>`)}
        </select>
        <label for="timezone">Time zone <span class="muted">(now ${p.effective_timezone || 'unknown'}, from ${p.timezone_source})</span></label>
        <input id="timezone" name="timezone" value=${p.timezone || ''} placeholder="Europe/Berlin" />
        <span class="label">Do not contact by</span>
        <div class="dnc">${DNC_CHOICES.map((c) => html`<div class="row">
          <label><input type="checkbox" name=${`dnc_${c}`} checked=${p.do_not_contact.includes(c)} /> ${c}</label>
          <input name=${`dnc_reason_${c}`} aria-label=${`Why not by ${c}`} placeholder="Why (e.g. asked on a call)"
            value=${(p.do_not_contact_reasons || {})[c] || ''} maxlength="200" />
        </div>`)}</div>
        <span class="label">Out of office</span>
        <div class="row">
          <input aria-label="Out of office from" name="ooo_from" type="date" value=${ooo ? dayIn(ooo.from, p.effective_timezone) : ''} />
          <input aria-label="Out of office until" name="ooo_until" type="date" value=${ooo ? dayIn(ooo.until, p.effective_timezone, { endExclusive: true }) : ''} />
        </div>
        <button type="submit">Save preferences</button>
      </fieldset>
      ${!mayEdit && html`<p class="muted">Only the owner, managers and marketing change these.</p>`}
      ${error && html`<p class="error" role="alert">${error.message}</p>`}
      ${saved && html`<p class="ok" role="status">Saved.</p>`}
    </form>
  <//>`;
}

// A manager gives the lead to someone else, with the reason the timeline keeps.
export function ReassignForm({ lead, onDone, compact = false }) {
  const { data: users, error: usersError } = useLoad(loadUsers, []);
  const { busy, error, submit } = useSubmit(async (form) => {
    onDone(await api('PATCH', `/api/v1/leads/${lead.id}`, { owner_id: form.get('owner_id'), reason: form.get('reason') }));
  }, { reset: true });
  if (usersError) return html`<p class="error">The team could not be loaded: ${usersError.message}</p>`;
  const candidates = (users || []).filter((u) => u.active && ['sales_rep', 'sales_manager'].includes(u.role)
    && (!lead.owner || u.id !== lead.owner.id));
  return html`<form class=${compact ? 'reassign compact' : 'reassign stack'} onSubmit=${submit} aria-label=${`Reassign ${lead.id}`}>
    <select name="owner_id" aria-label="New owner" required>
      <option value="">${users ? 'New owner…' : 'Loading…'}</option>
      ${candidates.map((u) => html`<option value=${u.id}>${u.name}${u.out_of_office ? ' (out of office)' : ''}</option>`)}
    </select>
    <input name="reason" aria-label="Reason" placeholder="Reason (kept in the timeline)" required />
    <button type="submit" disabled=${busy}>${busy ? 'Reassigning…' : 'Reassign'}</button>
    ${error && html`<p class="error" role="alert">${error.message}</p>`}
  </form>`;
}

function Reassign({ lead, onDone }) {
  // Keyed by the owner: a new owner gives a new, empty form.
  return html`<${Section} title="Reassign"><${ReassignForm} key=${lead.owner ? lead.owner.id : 'none'} lead=${lead} onDone=${onDone} /><//>`;
}

// What a preferences change set, in words: "do not call (asked on a call); time zone Europe/Berlin".
function preferenceChanges(changed) {
  const parts = Object.entries(changed).map(([field, value]) => {
    switch (field) {
      case 'do_not_contact': {
        const entries = Array.isArray(value) ? value.map((c) => [c, '']) : Object.entries(value || {});
        return entries.length
          ? `do not contact by ${entries.map(([c, why]) => (why ? `${c} (${why})` : c)).join(', ')}`
          : 'every channel allowed again';
      }
      case 'preferred_channel': return value ? `prefers ${value}` : 'no preferred channel';
      case 'timezone': return value ? `time zone ${value}` : 'time zone cleared';
      case 'address_source': return `address source ${value}`;
      case 'out_of_office': return value ? `out of office ${when(value.from)} – ${when(value.until)}` : 'out of office cleared';
      case 'unsubscribed': return value ? 'unsubscribed' : 'subscribed again';
      default: return `${field.replaceAll('_', ' ')} ${typeof value === 'object' ? JSON.stringify(value) : value}`;
    }
  });
  return parts.length ? parts.join('; ') : 'nothing';
}

// One line per timeline entry (the account page's journey uses it too).
export function describe(item, names) {
  const name = (id) => names[id] || id;
  switch (item.kind) {
    case 'event':
      if (item.type === 'page') return `Viewed ${item.name || item.path || 'a page'}`;
      if (item.type === 'identify') return `Identified${item.traits && item.traits.email ? ` as ${item.traits.email}` : ''}`;
      if (item.type === 'track') {
        const props = item.properties || {};
        const detail = props.title || props.form || props.asset_id;
        return `${item.name}${detail ? `: ${detail}` : ''}`;
      }
      return `${item.type}${item.name ? ` ${item.name}` : ''}`;
    case 'created': return 'Became a lead';
    case 'score_changed': return `${item.axis} score ${Number(item.from).toFixed(1)} → ${Number(item.to).toFixed(1)}`;
    case 'stage_changed': return `Stage ${item.from} → ${item.to}${item.reason || item.cause ? ` (${item.reason || item.cause})` : ''}`;
    case 'assigned': return `Assigned to ${item.owner ? name(item.owner) : 'nobody'}${item.reason ? ` — ${item.reason}` : ''}`;
    case 'touch': return `${item.direction === 'inbound' ? 'Inbound' : 'Outbound'} ${item.channel}${item.note ? ` — ${item.note}` : ''}`;
    case 'outcome': return `Outcome: ${item.disposition}${item.reason ? ` (${item.reason})` : ''}`;
    case 'sla_breached': return 'First contact overdue: the SLA was missed';
    case 'sla_reminder': return 'SLA reminder sent to the owner';
    case 'merged': return `Merged with ${item.from}`;
    case 'priority_changed': return `Priority ${item.from || 'none'} → ${item.to || 'none'}`;
    case 'email_clicked': return `Clicked ${item.url} in the email “${item.subject}”`;
    case 'email_opened': return `Opened the email “${item.subject}”`;
    case 'email_replied': return `Replied to “${item.subject}”${item.excerpt ? `: ${item.excerpt}` : ''}`;
    case 'email_auto_reply': return `Automatic reply “${item.subject}”${item.back_on ? `, back on ${item.back_on}` : ''}`;
    case 'email_bounced': return `An email bounced${item.status ? ` (${item.status})` : ''}: the address is suppressed`;
    case 'email_soft_bounced': return `An email could not be delivered for now${item.status ? ` (${item.status})` : ''}`;
    case 'email_complaint': return 'Marked an email as spam: unsubscribed';
    case 'sequence_enrolled': return `Enrolled in the sequence “${item.sequence}”${item.by === 'rule' ? ' by its rule' : ''}`;
    case 'sequence_step': return `Sequence “${item.sequence}” step ${item.step}: ${item.outcome}${item.reason ? ` (${item.reason})` : ''}${item.note ? ` — ${item.note}` : ''}`;
    case 'sequence_paused': return `Sequence “${item.sequence}” paused${item.reason ? `: ${item.reason.replaceAll('_', ' ')}` : ''}${item.until ? ` until ${when(item.until)}` : ''}`;
    case 'sequence_resumed': return `Sequence “${item.sequence}” resumed`;
    case 'sequence_exited': return `Left the sequence “${item.sequence}”${item.reason ? `: ${item.reason.replaceAll('_', ' ')}` : ''}`;
    case 'preferences_changed': return `Preferences changed: ${preferenceChanges(item.changed || {})}`;
    default: return item.kind.replaceAll('_', ' ');
  }
}

function Timeline({ items, names, now }) {
  const actor = (a) => (a.startsWith('user:') ? names[a.slice(5)] || a.slice(5) : a);
  const [all, setAll] = useState(false);
  const shown = all ? items : items.slice(0, 40);
  return html`<${Section} title="Timeline" cls="timeline">
    ${!items.length ? html`<p class="muted">Nothing recorded yet.</p>` : html`<ol class="timeline-list">
      ${shown.map((item) => html`<li class=${`kind-${item.kind}`}>
        <time datetime=${item.at} title=${when(item.at)}>${ago(item.at, now)}</time>
        <span>${describe(item, names)}</span>
        ${item.points ? html`<span class=${item.points < 0 ? 'points negative' : 'points'}>${signed(item.points)}</span>` : ''}
        ${item.actor && item.actor !== 'system' ? html`<span class="muted"> · ${actor(item.actor)}</span>` : ''}
      </li>`)}
    </ol>`}
    ${items.length > shown.length && html`<button onClick=${() => setAll(true)}>Show all ${items.length} entries</button>`}
  <//>`;
}
