/* Intake: progressive enhancement only. Every page works without this file.
   Vanilla ES2017, no libraries, no inline handlers, no eval (CSP script-src 'self'). */
(function () {
  'use strict';

  var LANG = (document.documentElement.lang || 'fr').slice(0, 2).toLowerCase() === 'en' ? 'en' : 'fr';

  var STRINGS = {
    fr: {
      chars: 'caractères',
      charsOne: 'caractère',
      of: 'sur',
      nearLimit: 'Vous approchez de la limite.',
      draftRestored: 'Nous avons retrouvé le brouillon enregistré sur cet appareil.',
      draftDelete: 'Effacer le brouillon',
      draftConfirm: 'Effacer le brouillon et vider le formulaire\u00a0? Le texte ne pourra pas être récupéré.',
      draftDeleted: 'Le brouillon a été effacé de cet appareil.',
      draftSaved: 'Brouillon enregistré sur cet appareil.',
      copied: 'Code copié.',
      copyFailed: 'La copie n’a pas fonctionné. Vous pouvez sélectionner le code et le noter vous-même.'
    },
    en: {
      chars: 'characters',
      charsOne: 'character',
      of: 'of',
      nearLimit: 'You are close to the limit.',
      draftRestored: 'We found the draft saved on this device.',
      draftDelete: 'Delete the draft',
      draftConfirm: 'Delete the draft and empty the form? The text cannot be recovered.',
      draftDeleted: 'The draft has been deleted from this device.',
      draftSaved: 'Draft saved on this device.',
      copied: 'Code copied.',
      copyFailed: 'Copying did not work. You can select the code and write it down yourself.'
    }
  };
  var T = STRINGS[LANG];
  var numberFormat = window.Intl ? new Intl.NumberFormat(LANG) : { format: String };

  var DRAFT_PREFIX = 'intake-draft:';
  var DRAFT_MAX_AGE = 7 * 24 * 60 * 60 * 1000;
  var DRAFT_SKIP = ['csrf_token', 'started', 'submission_key', 'website'];

  function debounce(fn, wait) {
    var timer = null;
    function debounced() {
      clearTimeout(timer);
      timer = setTimeout(function () { timer = null; fn(); }, wait);
    }
    debounced.flush = function () {
      if (timer !== null) { clearTimeout(timer); timer = null; fn(); }
    };
    return debounced;
  }

  function each(selector, fn, root) {
    Array.prototype.forEach.call((root || document).querySelectorAll(selector), fn);
  }

  /* ---- Storage: localStorage keeps a draft across visits; sessionStorage only for the tab
     (the follow-up's, on a phone that may be shared). Either may be missing or throw
     (private mode, blocked cookies, quota). */

  function store(kind) {
    try {
      return (kind === 'session' ? window.sessionStorage : window.localStorage) || null;
    } catch (e) { return null; }
  }
  function stores() {
    return [store('local'), store('session')].filter(Boolean);
  }
  function storageGet(s, key) {
    try { return s ? s.getItem(key) : null; } catch (e) { return null; }
  }
  function storageSet(s, key, value) {
    try { if (s) { s.setItem(key, value); return true; } } catch (e) { /* quota */ }
    return false;
  }
  function storageRemove(s, key) {
    try { if (s) { s.removeItem(key); } } catch (e) { /* ignore */ }
  }
  function draftKeys(s) {
    var keys = [];
    try {
      for (var i = 0; s && i < s.length; i++) {
        var key = s.key(i);
        if (key && key.indexOf(DRAFT_PREFIX) === 0) { keys.push(key); }
      }
    } catch (e) { /* ignore */ }
    return keys;
  }
  function readDraft(s, key) {
    try {
      var draft = JSON.parse(storageGet(s, key));
      return draft && typeof draft.savedAt === 'number' && draft.values ? draft : null;
    } catch (e) { return null; }
  }
  function removeDrafts(which) {
    stores().forEach(function (s) {
      draftKeys(s).forEach(function (key) {
        if (which(key.slice(DRAFT_PREFIX.length), s)) { storageRemove(s, key); }
      });
    });
  }

  /* Drafts hold intimate text: do not keep them longer than needed, even unused. */
  function purgeOldDrafts() {
    var now = Date.now();
    removeDrafts(function (name, s) {
      var draft = readDraft(s, DRAFT_PREFIX + name);
      return !draft || now - draft.savedAt > DRAFT_MAX_AGE;
    });
  }

  /* ---- a. Character counter */

  /* Count like the server: \r\n as one character, NFC, code points (an emoji counts once).
     Leading and trailing spaces, which the server strips, are still counted: the count can
     only err on the safe side of the limit. */
  function countChars(value) {
    var text = value.replace(/\r\n?/g, '\n');
    if (text.normalize) { text = text.normalize('NFC'); }
    return [...text].length;
  }

  function counterText(count, max, spoken) {
    var n = numberFormat.format(count);
    if (!max) { return n + ' ' + (count === 1 || (LANG === 'fr' && count === 0) ? T.charsOne : T.chars); }
    var m = numberFormat.format(max);
    return spoken ? n + ' ' + T.chars + ' ' + T.of + ' ' + m : n + ' / ' + m + ' ' + T.chars;
  }

  /* The visible counter changes on every keystroke; screen readers get a separate live
     region, updated only after a pause in typing, so that they are not flooded. */
  function initCounter(textarea) {
    var counter = document.getElementById(textarea.getAttribute('data-counter'));
    if (!counter) { return; }
    var max = parseInt(textarea.getAttribute('maxlength'), 10) || 0;

    counter.removeAttribute('aria-live');
    counter.setAttribute('aria-hidden', 'true'); // still read as the textarea's description
    var live = document.createElement('span');
    live.className = 'visually-hidden';
    live.setAttribute('aria-live', 'polite');
    counter.parentNode.insertBefore(live, counter.nextSibling);

    var lastSpoken = '';
    var speak = debounce(function () {
      var count = countChars(textarea.value);
      var text = counterText(count, max, true);
      if (max && count >= max * 0.95) { text += '. ' + T.nearLimit; }
      if (text !== lastSpoken) { live.textContent = lastSpoken = text; }
    }, 1500);

    function update() {
      var count = countChars(textarea.value);
      counter.textContent = counterText(count, max, false);
      counter.classList.toggle('counter--over', Boolean(max) && count >= max * 0.95);
    }
    textarea.addEventListener('input', function () { update(); speak(); });
    update();
    lastSpoken = counterText(countChars(textarea.value), max, true); // nothing to announce on load
    counter.hidden = false;
  }

  /* ---- b. Draft kept in the browser */

  function draftFields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      if (!el.name || DRAFT_SKIP.indexOf(el.name) !== -1 || el.disabled) { return false; }
      if (el.tagName === 'TEXTAREA') { return true; }
      return el.tagName === 'INPUT' && ['text', 'email', 'radio', 'checkbox'].indexOf(el.type) !== -1;
    });
  }
  function isCheckable(el) { return el.type === 'radio' || el.type === 'checkbox'; }

  /* Texts by name; for radios and checkboxes, the list of checked values by name (possibly
     empty, so that restoring can also untick). */
  function collect(fields) {
    var values = {};
    var hasText = false;
    fields.forEach(function (el) {
      if (isCheckable(el)) {
        values[el.name] = values[el.name] || [];
        if (el.checked) { values[el.name].push(el.value); }
      } else {
        values[el.name] = el.value;
        if (el.value.trim()) { hasText = true; }
      }
    });
    return { values: values, hasText: hasText };
  }

  function apply(fields, values) {
    fields.forEach(function (el) {
      if (!Object.prototype.hasOwnProperty.call(values, el.name)) { return; }
      var value = values[el.name];
      if (isCheckable(el)) {
        if (Array.isArray(value)) { el.checked = value.indexOf(el.value) !== -1; }
      } else if (typeof value === 'string') {
        el.value = value;
      }
    });
  }

  /* A draft is worth restoring only if one of this form's text fields gets text back. */
  function hasMatchingText(fields, values) {
    return fields.some(function (el) {
      var value = values[el.name];
      return !isCheckable(el) && typeof value === 'string' && value.trim() !== '' &&
        Object.prototype.hasOwnProperty.call(values, el.name);
    });
  }

  /* Let the counter (and anything else listening) see programmatic changes. */
  function notify(fields) {
    fields.forEach(function (el) {
      if (el.tagName === 'TEXTAREA') { el.dispatchEvent(new Event('input', { bubbles: true })); }
    });
  }

  function initDraft(form) {
    var key = DRAFT_PREFIX + form.getAttribute('data-draft');
    var kind = form.getAttribute('data-draft-storage') === 'session' ? 'session' : 'local';
    var storage = store(kind);
    // Whose draft it is (the follow-up's story): never restored into another person's form.
    var scope = form.getAttribute('data-draft-scope') || '';
    var fields = draftFields(form);
    if (kind === 'session') { storageRemove(store('local'), key); } // kept there by older pages
    if (!fields.length || !storage) { return; }

    var status = form.querySelector('.draft-status');
    if (!status) { // e.g. the contact form: add one so a restored draft is never a surprise
      status = document.createElement('p');
      status.className = 'draft-status';
      status.hidden = true;
      form.appendChild(status);
    }
    status.setAttribute('role', 'status');
    status.setAttribute('tabindex', '-1');

    var restoring = false;
    var restored = false;
    var savedOnce = false;

    var save = debounce(function () {
      var state = collect(fields);
      if (!state.hasText) { storageRemove(storage, key); return; } // nothing worth keeping
      var draft = { savedAt: Date.now(), values: state.values };
      if (scope) { draft.scope = scope; }
      var ok = storageSet(storage, key, JSON.stringify(draft));
      if (ok && !restored && !savedOnce) {
        savedOnce = true;
        status.textContent = T.draftSaved;
        status.hidden = false;
      }
    }, 1000);

    function onChange() { if (!restoring) { save(); } }
    form.addEventListener('input', onChange);
    form.addEventListener('change', onChange);
    form.addEventListener('submit', function () { save.flush(); }); // keep it if the network fails
    // Phones kill background tabs: write the pending save when the page is hidden.
    document.addEventListener('visibilitychange', function () {
      if (document.visibilityState === 'hidden') { save.flush(); }
    });
    window.addEventListener('pagehide', function () { save.flush(); });

    // Restore only into an empty form: a form the server re-rendered holds newer text.
    var draft = readDraft(storage, key);
    if (!draft || (draft.scope || '') !== scope) { return; }
    if (collect(fields).hasText || !hasMatchingText(fields, draft.values)) { return; }
    restoring = true;
    apply(fields, draft.values);
    notify(fields);
    restoring = false;
    restored = true;
    showRestored();

    function showRestored() {
      var button = document.createElement('button');
      button.type = 'button';
      button.className = 'button button--secondary';
      button.textContent = T.draftDelete;
      button.addEventListener('click', function () {
        if (!window.confirm(T.draftConfirm)) { return; }
        clearDraft();
      });
      status.textContent = T.draftRestored + ' ';
      status.appendChild(button);
      // The template puts the status after the send button, far below the restored text on
      // a phone; bring it to the top of the form so the notice and its button are seen.
      var firstField = form.querySelector('.field');
      if (firstField) { form.insertBefore(status, firstField); }
      status.hidden = false;
    }

    function clearDraft() {
      storageRemove(storage, key);
      restoring = true;
      fields.forEach(function (el) {
        if (isCheckable(el)) { el.checked = el.defaultChecked; } else { el.value = ''; }
      });
      notify(fields);
      restoring = false;
      restored = false;
      savedOnce = false;
      status.textContent = T.draftDeleted;
      status.focus(); // the button that had focus is gone
    }
  }

  /* ---- c. The server has the text: its drafts must not linger on a shared device. A page
     that follows a successful send names the drafts to drop (« /suivi » drops every draft
     under it); a thank-you page drops them all. Not on submit: a send can still fail. */

  function dropDrafts(names) {
    removeDrafts(function (name) {
      return names.some(function (dropped) {
        return name === dropped || name.indexOf(dropped.replace(/\/$/, '') + '/') === 0;
      });
    });
  }

  function clearAllDrafts() {
    removeDrafts(function () { return true; });
  }

  /* ---- d. Copy button */

  function statusNear(el) {
    for (var node = el.parentElement; node; node = node.parentElement) {
      var found = node.querySelector('.copy-status');
      if (found) { return found; }
    }
    return null;
  }

  function initCopy(button) {
    if (!navigator.clipboard || typeof navigator.clipboard.writeText !== 'function') { return; }
    var source = document.getElementById(button.getAttribute('data-copy'));
    if (!source) { return; }
    var status = statusNear(button);
    function say(text) {
      if (!status) { return; }
      status.textContent = ''; // emptied first so that a second copy is announced again
      setTimeout(function () { status.textContent = text; }, 50);
    }
    button.addEventListener('click', function () {
      navigator.clipboard.writeText(source.textContent.trim()).then(
        function () { say(T.copied); },
        function () { say(T.copyFailed); }
      );
    });
    button.hidden = false;
  }

  /* ---- e. Print button */

  function initPrint(button) {
    if (typeof window.print !== 'function') { return; }
    button.addEventListener('click', function () { window.print(); });
    button.hidden = false;
  }

  /* ---- g. Double-submit guard */

  function initSubmitGuard(form) {
    var buttons = form.querySelectorAll('button[type=submit], button:not([type]), input[type=submit]');
    var timer = null;
    function enable() {
      clearTimeout(timer);
      timer = null;
      Array.prototype.forEach.call(buttons, function (b) { b.disabled = false; });
    }
    form.addEventListener('submit', function () {
      if (timer !== null) { return; }
      // Disabling now would drop the clicked button (and its formaction) from the
      // submission; a zero timeout lets the browser build the request first.
      setTimeout(function () {
        Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
      }, 0);
      timer = setTimeout(enable, 10000); // after a network error, let the person retry
    });
    // Back/forward cache restores the page as it was left: with disabled buttons.
    window.addEventListener('pageshow', function (event) {
      if (event.persisted) { enable(); }
    });
  }

  /* ---- A gentle word when a story seems to hold an e-mail address or a phone number.
     It never blocks: the note is the page's own (translated) text, only shown or hidden. */

  var EMAIL_LIKE = /[^\s@<>()]+@[^\s@<>()]+\.[a-z]{2,}/i;
  var PHONE_LIKE = /(?:\+33[\s.-]?|\b0)[1-9](?:[\s.-]?\d{2}){4}\b/;

  function initDetailNote(textarea) {
    var note = document.getElementById(textarea.getAttribute('data-detail-note'));
    if (!note) { return; }
    var check = debounce(function () {
      var text = textarea.value;
      note.hidden = !(EMAIL_LIKE.test(text) || PHONE_LIKE.test(text));
    }, 400);
    textarea.addEventListener('input', check);
    check();
  }

  function init() {
    purgeOldDrafts();
    var dropped = (document.body.getAttribute('data-drop-drafts') || '').split(/\s+/);
    dropDrafts(dropped.filter(Boolean)); // before any form restores one of them
    if (document.querySelector('[data-clear-drafts]')) { clearAllDrafts(); }
    each('textarea[data-counter]', initCounter); // before drafts, which notify the counters
    each('textarea[data-detail-note]', initDetailNote);
    each('form[data-draft]', function (form) {
      initDraft(form);
      initSubmitGuard(form);
    });
    each('[data-copy]', initCopy);
    each('[data-print]', initPrint);
    var summary = document.querySelector('[data-autofocus]');
    if (summary) { summary.focus(); }
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
}());
