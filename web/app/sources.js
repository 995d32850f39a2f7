// Where events come from (#/sources; marketing and admins): each source's write key and
// the tag to put in every page of a website, with when its last event arrived — so
// whoever pastes the snippet sees at once whether it works. Adding a source makes a new
// write key.
import { html, api, useLoad, useSubmit, useAutoRefresh, Loading, Failure, Empty, ago, when, CopyField } from './lib.js';

export const mayManageSources = (user) => user.role === 'marketing' || user.role === 'admin';

function SourceCard({ source }) {
  return html`<article class="card source" data-source=${source.id} aria-label=${source.name}>
    <div class="page-head"><h2>${source.name}</h2>
      <span class=${source.last_event_at ? 'muted' : 'warn-text'} title=${source.last_event_at ? when(source.last_event_at) : ''}>
        ${source.last_event_at ? `last event ${ago(source.last_event_at)}` : 'no event yet'}</span></div>
    <p class="muted">Put this tag in every page of the website, before <code>&lt;/head&gt;</code>:</p>
    <${CopyField} value=${source.snippet} label=${`Snippet for ${source.name}`} />
    <p class="muted">Write key (for Segment-compatible libraries and servers; it is public by nature):</p>
    <${CopyField} value=${source.write_key} label=${`Write key of ${source.name}`} />
  </article>`;
}

export function Sources() {
  const { data, error, reload } = useLoad(() => api('GET', '/api/v1/sources'), []);
  useAutoRefresh(reload, 30000);
  const { busy, error: refused, submit } = useSubmit(async (form) => {
    await api('POST', '/api/v1/sources', { name: form.get('name') });
    reload();
  }, { reset: true });
  if (error) return html`<${Failure} error=${error} what="the sources" retry=${reload} />`;
  if (!data) return html`<${Loading} what="the sources" />`;
  return html`<section aria-label="Sources">
    <div class="page-head"><h1>Sources</h1><span class="count">${data.items.length}</span></div>
    <form class="card row" onSubmit=${submit} aria-label="Add a source">
      <label>New source <input name="name" required maxlength="200" placeholder="Marketing website" /></label>
      <button class="primary" type="submit" disabled=${busy}>${busy ? 'Adding…' : 'Add source'}</button>
      ${refused && html`<p class="error" role="alert">${refused.message}</p>`}
    </form>
    ${data.items.length === 0
      ? html`<${Empty} title="No source yet">Add one for each website or app that sends events.</${Empty}>`
      : data.items.slice().reverse().map((s) => html`<${SourceCard} key=${s.id} source=${s} />`)}
  </section>`;
}
