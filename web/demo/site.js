// Brightline's own page script: the gated download and the contact form. The Tandem
// snippet (loaded by the <script> tag in each page) records the form submissions itself;
// this adds what the site knows: which asset was downloaded.
(function () {
  'use strict';
  function tandem(method) {
    var args = Array.prototype.slice.call(arguments, 1);
    if (window.tandem && window.tandem.loaded) return window.tandem[method].apply(window.tandem, args);
    (window.tandem = window.tandem || []).push([method].concat(args));
  }
  document.querySelectorAll('form[data-asset-id]').forEach(function (form) {
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      tandem('track', 'Content Downloaded', {
        asset_id: form.getAttribute('data-asset-id'),
        title: form.getAttribute('data-asset-title')
      });
      form.hidden = true;
      document.getElementById(form.getAttribute('data-thanks')).hidden = false;
    });
  });
  document.querySelectorAll('form[data-tandem-form="contact-sales"]').forEach(function (form) {
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      form.hidden = true;
      document.getElementById('contact-thanks').hidden = false;
    });
  });
})();
