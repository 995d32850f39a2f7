/* Tandem website snippet. One tag on a page: <script async src="https://TANDEM/t.js?k=WRITE_KEY"></script>
 * Keeps an anonymous id in a first-party cookie, sends a page view with url, path, referrer,
 * title and UTM fields, and offers tandem.track(), tandem.identify() and tandem.page().
 * Forms marked data-tandem-form send an identify (email, name, company fields) and a
 * "Form Submitted" track with the form's id. tandem.variant(key) answers the visitor's
 * variant of a running web experiment (the same one on every visit, and on every device
 * once they are identified) and records the exposure on the page's own events: on the page
 * view when it is called while the page loads, else on the page's next event. Elements
 * marked data-tandem-experiment="key" data-tandem-variant="v" show only for variant v. Requests go only to the Tandem server the
 * script came from. With Do-Not-Track or Global Privacy Control on, and the server set to
 * respect them, it sends nothing. */
(function (window, document, config) {
  'use strict';
  var existing = window.tandem;
  if (existing && existing.loaded) return;

  var script = document.currentScript;
  var origin = script && script.src ? new URL(script.src, window.location.href).origin : '';
  var endpoint = origin + '/v1/batch';
  var nav = window.navigator;
  var quiet = config.respectDnt &&
    (nav.doNotTrack === '1' || window.doNotTrack === '1' || nav.globalPrivacyControl === true);
  var COOKIE = 'tandem_aid';
  var experiments = config.experiments || [];
  var exposures = [];  // {key, version, variant} shown on this page
  var USER_KEY = 'tandem_uid';
  var YEAR = 365 * 24 * 3600;

  function uuid() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join('');
    return hex.slice(0, 8) + '-' + hex.slice(8, 12) + '-' + hex.slice(12, 16) + '-' + hex.slice(16, 20) + '-' + hex.slice(20);
  }

  function readCookie(name) {
    var parts = document.cookie ? document.cookie.split('; ') : [];
    for (var i = 0; i < parts.length; i++) {
      var eq = parts[i].indexOf('=');
      if (parts[i].slice(0, eq) === name) return decodeURIComponent(parts[i].slice(eq + 1));
    }
    return null;
  }

  function anonymousId() {
    var id = readCookie(COOKIE);
    if (!id) id = uuid();
    var secure = window.location.protocol === 'https:' ? '; Secure' : '';
    document.cookie = COOKIE + '=' + encodeURIComponent(id) + '; Path=/; Max-Age=' + YEAR + '; SameSite=Lax' + secure;
    return id;
  }

  var userId = null;
  try { userId = window.localStorage.getItem(USER_KEY); } catch (e) { userId = null; }

  function campaign() {
    var params = new URLSearchParams(window.location.search);
    var out = {};
    var names = { utm_source: 'source', utm_medium: 'medium', utm_campaign: 'name', utm_term: 'term', utm_content: 'content' };
    Object.keys(names).forEach(function (key) {
      var value = params.get(key);
      if (value) out[names[key]] = value;
    });
    return Object.keys(out).length ? out : undefined;
  }

  function pageFields() {
    return {
      path: window.location.pathname,
      url: window.location.href,
      referrer: document.referrer,
      title: document.title,
      search: window.location.search
    };
  }

  function context() {
    var zone;
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { zone = undefined; }
    return {
      page: pageFields(),
      campaign: campaign(),
      userAgent: nav.userAgent,
      locale: nav.language,
      timezone: zone,
      library: { name: 'tandem.js', version: '1' }
    };
  }

  var queue = [];
  var timer = null;

  function flush(leaving) {
    if (timer) { clearTimeout(timer); timer = null; }
    if (!queue.length) return;
    // Every event of the page carries what the page showed so far.
    if (exposures.length) {
      queue.forEach(function (m) { m.context.experiments = exposures.slice(); });
    }
    var body = JSON.stringify({ batch: queue, writeKey: config.writeKey, sentAt: new Date().toISOString() });
    queue = [];
    // text/plain keeps the request simple (no preflight); Tandem reads any label as JSON.
    if (leaving && nav.sendBeacon && nav.sendBeacon(endpoint, new Blob([body], { type: 'text/plain' }))) return;
    window.fetch(endpoint, { method: 'POST', body: body, keepalive: true, credentials: 'omit', headers: { 'Content-Type': 'text/plain' } })
      .catch(function () { /* a lost page view is not worth an error on the site */ });
  }

  function send(message) {
    if (quiet) return;
    message.anonymousId = anonymousId();
    if (userId) message.userId = userId;
    message.messageId = uuid();
    message.timestamp = new Date().toISOString();
    message.context = context();
    queue.push(message);
    if (!timer) timer = setTimeout(flush, 50);
  }

  // The arm of `person`: FNV-1a of "<key>.<version>:<person>", mixed by MurmurHash3's
  // finalizer, as a fraction of 2^32 through the cumulative weights (as the server does).
  function arm(key, version, weights, person) {
    var bytes = new TextEncoder().encode(key + '.' + version + ':' + person);
    var h = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) {
      h ^= bytes[i];
      h = Math.imul(h, 16777619) >>> 0;
    }
    h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b) >>> 0;
    h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35) >>> 0;
    h ^= h >>> 16;
    var point = (h >>> 0) / 4294967296;
    var edge = 0;
    for (var j = 0; j + 1 < weights.length; j++) {
      edge += weights[j];
      if (point < edge) return j;
    }
    return weights.length - 1;
  }

  function variant(key) {
    var x = null;
    for (var i = 0; i < experiments.length; i++) if (experiments[i].key === key) x = experiments[i];
    if (!x) return null;  // not running: the page shows its default
    // A visitor who asked not to be tracked still sees a variant, chosen for this page
    // alone: nothing is kept on their device and nothing is sent.
    if (quiet) return x.variants[arm(key, x.version, x.weights, uuid())];
    var remembered = 'tandem_x_' + key + '.' + x.version;
    var chosen = null;
    try { chosen = window.localStorage.getItem(remembered); } catch (e) { chosen = null; }
    if (!chosen || x.variants.indexOf(chosen) < 0) {
      chosen = x.variants[arm(key, x.version, x.weights, userId || anonymousId())];
      try { window.localStorage.setItem(remembered, chosen); } catch (e) { /* private mode */ }
    }
    var seen = exposures.some(function (e) { return e.key === key; });
    if (!seen) exposures.push({ key: key, version: x.version, variant: chosen });
    return chosen;
  }

  function showVariants() {
    var marked = document.querySelectorAll('[data-tandem-experiment]');
    Array.prototype.forEach.call(marked, function (el) {
      var chosen = variant(el.getAttribute('data-tandem-experiment'));
      if (chosen === null) return;
      el.hidden = el.getAttribute('data-tandem-variant') !== chosen;
    });
  }

  var api = {
    loaded: true,
    variant: variant,
    page: function (properties) {
      var props = pageFields();
      Object.keys(properties || {}).forEach(function (k) { props[k] = properties[k]; });
      send({ type: 'page', name: document.title, properties: props });
    },
    track: function (event, properties) {
      send({ type: 'track', event: String(event), properties: properties || {} });
    },
    identify: function (id, traits) {
      if (id !== null && typeof id === 'object') { traits = id; id = null; }
      if (id) {
        userId = String(id);
        try { window.localStorage.setItem(USER_KEY, userId); } catch (e) { /* private mode */ }
      }
      send({ type: 'identify', traits: traits || {} });
    },
    flush: function () { flush(false); }
  };

  var FIELDS = ['email', 'name', 'first_name', 'last_name', 'firstName', 'lastName', 'company', 'title', 'phone'];

  document.addEventListener('submit', function (e) {
    var form = e.target;
    if (!form || !form.hasAttribute || !form.hasAttribute('data-tandem-form')) return;
    var traits = {};
    FIELDS.forEach(function (name) {
      var input = form.elements.namedItem(name);
      if (input && typeof input.value === 'string' && input.value.trim()) traits[name] = input.value.trim();
    });
    var formId = form.getAttribute('data-tandem-form') || form.id || 'form';
    if (traits.email) api.identify(traits);
    api.track('Form Submitted', { form: formId, path: window.location.pathname });
    flush(true);
  }, true);
  window.addEventListener('pagehide', function () { flush(true); });

  // Calls made before the script loaded (window.tandem = [['track', 'X']]) run now.
  window.tandem = api;
  if (Array.isArray(existing)) {
    existing.forEach(function (call) {
      if (call && typeof api[call[0]] === 'function') api[call[0]].apply(api, call.slice(1));
    });
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', showVariants);
  } else {
    showVariants();
  }
  api.page();
})(window, document, __TANDEM_CONFIG__);
