// Sequences: marketing's nurture sequences and a rep's own one-to-one outreach. The list
// with each one's enrolments, a new sequence, and one sequence's page: the editor (its
// steps — emails, calls, tasks — with the business days each waits, what happens when
// the gate or the check refuses a step, the saved filter that enrols leads by itself,
// and the rules by which a lead leaves), and who is in it with the next step or why
// they stopped. On a lead's page, LeadEnrolments shows the lead's sequences and enrols
// it by hand. The server decides who may do what; these pages offer and show its answer.
import { useState } from 'preact/hooks';
import { html, api, useLoad, Loading, Failure, Empty, when, useSubmit } from './lib.js';

const KINDS = { nurture: 'Nurture (marketing)', one_to_one: 'One-to-one (a rep’s own)' };
const PURPOSE = { nurture: 'email_marketing', one_to_one: 'sales_outreach' };
const EXITS = ['replies to an email', 'books a meeting', 'is contacted by someone from sales',
  'changes stage', 'unsubscribes', 'bounces'];

// May create a sequence of this kind (the server checks again).
const mayCreate = (user, kind) => (kind === 'nurture' ? ['marketing', 'admin'].includes(user.role)
  : ['sales_rep', 'sales_manager', 'admin'].includes(user.role));
// May change this sequence.
const mayEdit = (user, s) => (s.kind === 'nurture' ? ['marketing', 'admin'].includes(user.role)
  : s.owner_id === user.id || ['sales_manager', 'admin'].includes(user.role));

const days = (n) => `${n} business day${n === 1 ? '' : 's'}`;

// "Step 2, an email (guide), due 3 Dec, 09:00", "Out of office until 12 Jan", "Replied".
export function enrolmentStatus(e) {
  const detail = e.detail ? ` (${e.detail})` : '';
  switch (e.reason) {
    case 'replied': return 'Left: replied';
    case 'meeting': return 'Left: booked a meeting';
    case 'sales_touch': return `Left: contacted by sales${detail}`;
    case 'stage_changed': return `Left: the stage changed${e.detail ? ` to ${e.detail}` : ''}`;
    case 'unsubscribed': return 'Left: unsubscribed';
    case 'bounced': return `Left: an email bounced${detail}`;
    case 'stopped': return 'Stopped by hand';
    case 'lead_gone': return 'Left: the lead is gone';
    case 'out_of_office': return `Paused: out of office until ${when(e.paused_until)}`;
    case 'refused': return `Paused: step ${e.next_step} was refused${detail}`;
    case 'paused': return 'Paused by hand';
    default: break;
  }
  if (e.state === 'finished') return 'Finished every step';
  if (e.state === 'active') {
    const what = e.next_step_what ? ` (${e.next_step_what})` : '';
    return `Next: step ${e.next_step}, ${e.next_step_kind || 'a step'}${what}, due ${when(e.due_at)}`;
  }
  return e.state;
}

function StateBadge({ state }) {
  return html`<span class=${`pill state-${state}`}>${state}</span>`;
}

function Counts({ counts }) {
  return html`<span class="progress">${['active', 'paused', 'finished', 'exited'].filter((k) => counts[k] > 0)
    .map((k) => html`<span class=${`pill status-${k}`}>${counts[k]} ${k}</span>`)}</span>`;
}

export function Sequences({ user }) {
  const { data, error, reload } = useLoad(() => api('GET', '/api/v1/sequences'), []);
  return html`<section aria-label="Sequences">
    <div class="page-head"><h1>Sequences</h1></div>
    ${user.role !== 'viewer' && html`<${NewSequence} user=${user} />`}
    ${error ? html`<${Failure} error=${error} what="the sequences" retry=${reload} />`
      : !data ? html`<${Loading} what="sequences" />`
      : !data.items.length ? html`<${Empty} title="No sequences yet">A sequence sends emails and reminds people to call, a few business days apart, until the lead answers.<//>`
      : html`<table class="leads card sequences" aria-label="Sequence list">
        <thead><tr><th>Name</th><th>Kind</th><th>State</th><th>Steps</th><th>Enrolments</th></tr></thead>
        <tbody>${data.items.map((s) => html`<tr data-sequence=${s.id}>
          <td><a href=${`#/sequences/${s.id}`}>${s.name}</a></td>
          <td>${s.kind === 'nurture' ? 'nurture' : 'one-to-one'}</td>
          <td><${StateBadge} state=${s.state} /></td>
          <td>${s.steps.length}</td>
          <td><${Counts} counts=${s.enrolments} /></td>
        </tr>`)}</tbody></table>`}
  </section>`;
}

// A name and a kind; the editor then takes the steps, and saving creates it.
function NewSequence({ user }) {
  const kinds = Object.keys(KINDS).filter((k) => mayCreate(user, k));
  const submit = (e) => {
    e.preventDefault();
    const form = new FormData(e.target);
    location.hash = `#/sequences/new?${new URLSearchParams({ kind: form.get('kind'), name: form.get('name') })}`;
  };
  if (!kinds.length) return null;
  return html`<form class="card row new-sequence" onSubmit=${submit} aria-label="New sequence">
    <label for="sequence-name">New sequence</label>
    <input id="sequence-name" name="name" required maxlength="200" placeholder="Not ready yet: nurture" />
    <select name="kind" aria-label="Kind">${kinds.map((k) => html`<option value=${k}>${KINDS[k]}</option>`)}</select>
    <button class="primary" type="submit">Add steps</button>
  </form>`;
}

// `id` "new": a sequence not saved yet, of the kind and name in `params`.
async function loadSequence(id, params, user) {
  const fresh = () => {
    const p = new URLSearchParams(params);
    const kind = p.get('kind') === 'one_to_one' ? 'one_to_one' : 'nurture';
    return { id: null, name: p.get('name') || '', kind, owner_id: user.id, filter_id: null, on_refused: 'continue',
      state: 'active', steps: [], enrolments: {}, updated_at: 'new' };
  };
  const [sequence, enrolments, templates, filters] = await Promise.all([
    id === 'new' ? fresh() : api('GET', `/api/v1/sequences/${id}`),
    id === 'new' ? { items: [] } : api('GET', `/api/v1/sequences/${id}/enrolments?limit=200`),
    api('GET', '/api/v1/email-templates').catch(() => ({ items: [] })),
    api('GET', '/api/v1/lead-filters'),
  ]);
  return { sequence, enrolments: enrolments.items, templates: templates.items, filters: filters.items };
}

export function SequencePage({ id, user, params = '' }) {
  const { data, error, reload } = useLoad(() => loadSequence(id, params, user), [id, params]);
  if (error) {
    return error.status === 404 ? html`<${Empty} title="No such sequence">${error.message}. <a href="#/sequences">All sequences</a>.<//>`
      : html`<${Failure} error=${error} what="this sequence" retry=${reload} />`;
  }
  if (!data) return html`<${Loading} what="the sequence" />`;
  const s = data.sequence;
  return html`<article class="sequence-page" data-sequence=${s.id || 'new'}>
    <div class="page-head"><h1>${s.id ? s.name : `New sequence: ${s.name}`}</h1>${s.id && html`<${StateBadge} state=${s.state} />`}
      <span class="muted">${s.kind === 'nurture' ? 'nurture, sent as the company' : 'one-to-one, sent as its rep'}</span>
      <a href="#/sequences">All sequences</a></div>
    <${Editor} key=${s.id || 'new'} sequence=${s} templates=${data.templates} filters=${data.filters}
      editable=${s.id ? mayEdit(user, s) : mayCreate(user, s.kind)} onSaved=${reload} />
    ${s.id && html`<${Enrolments} items=${data.enrolments} counts=${s.enrolments} />`}
  </article>`;
}

function StepRow({ step, index, count, templates, onChange, onMove, onRemove, disabled }) {
  const set = (field) => (e) => onChange({ ...step, [field]: field === 'wait_days' ? Number(e.target.value) : e.target.value });
  return html`<li class="step card" data-step=${index + 1}>
    <span class="step-number">${index + 1}</span>
    <label>Wait <input type="number" min="0" max="365" required value=${step.wait_days} onInput=${set('wait_days')}
      aria-label=${`Step ${index + 1} wait in business days`} disabled=${disabled} /> business days, then</label>
    <select value=${step.kind} onChange=${(e) => onChange(e.target.value === 'email'
      ? { kind: 'email', wait_days: step.wait_days, template: templates[0] ? templates[0].key : '' }
      : { kind: e.target.value, wait_days: step.wait_days, note: step.note || '' })}
      aria-label=${`Step ${index + 1} kind`} disabled=${disabled}>
      <option value="email">send an email</option><option value="call">call</option><option value="task">a task</option>
    </select>
    ${step.kind === 'email'
      ? html`<select value=${step.template} onChange=${set('template')} aria-label=${`Step ${index + 1} template`} required disabled=${disabled}>
          <option value="">Template…</option>
          ${templates.map((t) => html`<option value=${t.key}>${t.name} (${t.key})</option>`)}
          ${step.template && !templates.some((t) => t.key === step.template) && html`<option value=${step.template}>${step.template}</option>`}
        </select>`
      : html`<input value=${step.note || ''} onInput=${set('note')} maxlength="500" required disabled=${disabled}
          aria-label=${`Step ${index + 1} what to do`} placeholder=${step.kind === 'call' ? 'Ask whether the budget is set' : 'Send the case study by post'} />`}
    ${!disabled && html`<span class="step-actions">
      <button type="button" class="quiet" disabled=${index === 0} onClick=${() => onMove(index, -1)} aria-label=${`Move step ${index + 1} up`}>↑</button>
      <button type="button" class="quiet" disabled=${index === count - 1} onClick=${() => onMove(index, 1)} aria-label=${`Move step ${index + 1} down`}>↓</button>
      <button type="button" class="quiet" onClick=${() => onRemove(index)} aria-label=${`Remove step ${index + 1}`}>Remove</button>
    </span>`}
  </li>`;
}

function Editor({ sequence: s, templates, filters, editable, onSaved }) {
  const [steps, setSteps] = useState(s.steps.map((step) => ({ ...step })));
  // Held here, not read back from the form: a re-render (a step edited) keeps them.
  const [fields, setFields] = useState({ name: s.name, filter_id: s.filter_id || '', on_refused: s.on_refused, state: s.state });
  const field = (name) => ({ name, value: fields[name], onInput: (e) => setFields({ ...fields, [name]: e.target.value }),
    onChange: (e) => setFields({ ...fields, [name]: e.target.value }) });
  const [saved, setSaved] = useState(false);
  const usable = templates.filter((t) => t.purpose === PURPOSE[s.kind]);
  const { busy, error, submit } = useSubmit(async () => {
    setSaved(false);
    const body = { name: fields.name, on_refused: fields.on_refused, state: fields.state, steps };
    if (s.kind === 'nurture' && fields.filter_id !== (s.filter_id || '')) body.filter_id = fields.filter_id || null;
    if (!s.id) {
      const created = await api('POST', '/api/v1/sequences', { ...body, kind: s.kind });
      location.hash = `#/sequences/${created.id}`;
      return;
    }
    await api('PUT', `/api/v1/sequences/${s.id}`, body);
    setSaved(true);
    onSaved();
  });
  const change = (i) => (step) => setSteps(steps.map((old, j) => (j === i ? step : old)));
  const move = (i, by) => {
    const next = steps.slice();
    [next[i], next[i + by]] = [next[i + by], next[i]];
    setSteps(next);
  };
  const add = (kind) => setSteps([...steps, kind === 'email'
    ? { kind, wait_days: steps.length ? 3 : 0, template: usable[0] ? usable[0].key : '' }
    : { kind, wait_days: steps.length ? 3 : 0, note: '' }]);
  return html`<form class="card stack sequence-editor" onSubmit=${submit} aria-label="Edit the sequence">
    <fieldset disabled=${!editable}>
      <label for="seq-name">Name</label>
      <input id="seq-name" ...${field('name')} required maxlength="200" />
      <h2>Steps</h2>
      <p class="muted">Waits count business days in the lead’s time zone; a step is due inside the sending window on a working day. Email steps send the template’s latest version${s.kind === 'nurture' ? ' (marketing templates, with the unsubscribe link)' : ' (sales templates, as the rep)'}.</p>
      ${steps.length ? html`<ol class="steps">${steps.map((step, i) => html`<${StepRow} key=${i} step=${step} index=${i}
        count=${steps.length} templates=${usable} onChange=${change(i)} onMove=${move} disabled=${!editable}
        onRemove=${(j) => setSteps(steps.filter((_, k) => k !== j))} />`)}</ol>`
        : html`<p class="muted empty-steps">No steps yet: add the first email, call or task.</p>`}
      ${editable && html`<div class="row add-step">
        <button type="button" onClick=${() => add('email')}>Add an email</button>
        <button type="button" onClick=${() => add('call')}>Add a call</button>
        <button type="button" onClick=${() => add('task')}>Add a task</button>
      </div>`}
      ${usable.length === 0 && html`<p class="warn-text">There is no ${PURPOSE[s.kind].replace('_', ' ')} template yet; email steps need one.</p>`}
      <h2>Rules</h2>
      ${s.kind === 'nurture' && html`<label for="seq-filter">Enrol automatically <span class="muted">(the leads a saved filter matches, each once; again only after it re-enters that stage)</span></label>
        <select id="seq-filter" ...${field('filter_id')}>
          <option value="">Only by hand</option>
          ${filters.map((f) => html`<option value=${f.id}>${f.name} (${f.query})</option>`)}
          ${s.filter_id && !filters.some((f) => f.id === s.filter_id) && html`<option value=${s.filter_id}>${s.filter_id} (not among the saved filters)</option>`}
        </select>`}
      <label for="seq-refused">When the contact gate or the check refuses a step</label>
      <select id="seq-refused" ...${field('on_refused')}>
        <option value="continue">record why and go on with the next step</option>
        <option value="pause">pause the lead there (resuming tries it again)</option>
      </select>
      <label for="seq-state">State</label>
      <select id="seq-state" ...${field('state')}>
        <option value="active">active: steps go out when due</option>
        <option value="paused">paused: every lead waits where it is</option>
        <option value="archived">archived: takes no new leads</option>
      </select>
      <div class="exits"><span class="label">A lead leaves when it</span>
        <ul>${EXITS.map((x) => html`<li>${x}</li>`)}</ul>
        <p class="muted">An out-of-office answer pauses it until the return day.</p></div>
      ${editable && html`<button class="primary" type="submit" disabled=${busy}>${busy ? 'Saving…' : s.id ? 'Save sequence' : 'Create sequence'}</button>`}
    </fieldset>
    ${!editable && html`<p class="muted">${s.kind === 'nurture' ? 'Marketing and admins create and change nurture sequences.' : 'A rep and sales managers create and change one-to-one sequences.'}</p>`}
    ${error && html`<p class="error" role="alert">${error.message}</p>`}
    ${saved && html`<p class="ok" role="status">Saved.</p>`}
  </form>`;
}

function Enrolments({ items, counts }) {
  return html`<section class="card enrolments" aria-label="Enrolments">
    <div class="page-head"><h2>Who is in it</h2><${Counts} counts=${counts} /></div>
    ${!items.length ? html`<p class="muted">Nobody yet. Enrol a lead from its page, or choose a saved filter above.</p>`
      : html`<table class="leads"><thead><tr><th>Lead</th><th>State</th><th>Next step, or why it stopped</th><th>Enrolled</th></tr></thead>
        <tbody>${items.map((e) => html`<tr data-enrolment=${e.id}>
          <td><a href=${`#/leads/${e.lead_id}`}>${e.lead ? e.lead.name || e.lead.email : e.lead_id}</a></td>
          <td><${StateBadge} state=${e.state} /></td>
          <td class="why">${enrolmentStatus(e)}</td>
          <td class="muted">${when(e.enrolled_at)}${e.enrolled_by === 'rule' ? ' by its rule' : ''}</td>
        </tr>`)}</tbody></table>`}
  </section>`;
}

// On a lead's page: the sequences it is in, and enrolling it by hand.
export function LeadEnrolments({ lead, user, onChanged }) {
  const { data, error, reload } = useLoad(() => Promise.all([
    api('GET', `/api/v1/leads/${lead.id}/enrolments?limit=50`),
    user.role === 'viewer' ? Promise.resolve({ items: [] }) : api('GET', '/api/v1/sequences'),
  ]), [lead.id, lead.updated_at]);
  const [acting, setActing] = useState(null);
  const act = async (e, action) => {
    setActing({ id: e.id });
    try {
      await api('POST', `/api/v1/enrolments/${e.id}/${action}`, {});
      setActing(null);
      reload();
      onChanged();
    } catch (err) {
      setActing({ id: e.id, error: err });
    }
  };
  const { busy, error: failed, submit } = useSubmit(async (form) => {
    await api('POST', `/api/v1/sequences/${form.get('sequence')}/enrolments`, { lead_id: lead.id });
    reload();
    onChanged();
  });
  if (error) return html`<section class="card" aria-label="Sequences"><h2>Sequences</h2><${Failure} error=${error} what="the lead's sequences" retry=${reload} /></section>`;
  if (!data) return html`<section class="card" aria-label="Sequences"><h2>Sequences</h2><${Loading} what="sequences" /></section>`;
  const [enrolments, sequences] = data;
  const open = new Set(enrolments.items.filter((e) => e.state === 'active' || e.state === 'paused').map((e) => e.sequence_id));
  const choices = sequences.items.filter((s) => s.state === 'active' && !open.has(s.id)
    && (s.kind === 'nurture' || s.owner_id === user.id || ['sales_manager', 'admin'].includes(user.role)));
  return html`<section class="card lead-enrolments" aria-label="Sequences">
    <h2>Sequences</h2>
    ${!enrolments.items.length ? html`<p class="muted">Not in any sequence.</p>` : html`<ul class="enrolment-list">
      ${enrolments.items.map((e) => html`<li data-enrolment=${e.id} data-state=${e.state}>
        <a href=${`#/sequences/${e.sequence_id}`}>${e.sequence}</a> <${StateBadge} state=${e.state} />
        <p class="why">${enrolmentStatus(e)}</p>
        ${user.role !== 'viewer' && (e.state === 'active' || e.state === 'paused') && html`<div class="row">
          ${e.state === 'active' ? html`<button class="quiet" onClick=${() => act(e, 'pause')} disabled=${acting && acting.id === e.id && !acting.error}>Pause</button>`
            : html`<button class="quiet" onClick=${() => act(e, 'resume')} disabled=${acting && acting.id === e.id && !acting.error}>Resume</button>`}
          <button class="quiet" onClick=${() => act(e, 'stop')} disabled=${acting && acting.id === e.id && !acting.error}>Take out</button>
        </div>`}
        ${acting && acting.id === e.id && acting.error && html`<p class="error" role="alert">${acting.error.message}</p>`}
      </li>`)}</ul>`}
    ${choices.length > 0 && html`<form class="row enrol" onSubmit=${submit} aria-label="Enrol in a sequence">
      <select name="sequence" aria-label="Sequence" required>
        ${choices.map((s) => html`<option value=${s.id}>${s.name}${s.kind === 'one_to_one' ? ' (one-to-one)' : ''}</option>`)}
      </select>
      <button type="submit" disabled=${busy}>${busy ? 'Enrolling…' : 'Enrol'}</button>
    </form>`}
    ${failed && html`<p class="error" role="alert">${failed.message}</p>`}
  </section>`;
}
