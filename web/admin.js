// atm admin console: the shell. The admin API client (session cookie + CSRF
// header), sign-in and sign-out, the hash router, and the helpers the views
// share (DOM building without innerHTML, forms with errors next to the
// field, dialogs, copy buttons, pagination, toasts). The views live in
// admin-apps.js and admin-users.js.
(function () {
  'use strict';

  var A = window.AtmAdmin = { views: {} };
  var session = { username: '', csrf: '' };

  // ---- DOM -------------------------------------------------------------------

  // h('td', {class: 'x', 'data-label': 'Name'}, 'text', child): text is never parsed as HTML.
  A.h = function (tag, attrs) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === false || v === null || v === undefined) return;
      if (k === 'onclick') node.addEventListener('click', v);
      else if (k === 'text') node.textContent = v;
      else node.setAttribute(k, v === true ? '' : v);
    });
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined) continue;
      node.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
    }
    return node;
  };
  A.$ = function (id) { return document.getElementById(id); };

  A.toast = function (message, isError) {
    var t = A.$('toast');
    t.textContent = message;
    t.className = 'toast' + (isError ? ' error' : '');
    t.hidden = false;
    clearTimeout(A.toast.timer);
    A.toast.timer = setTimeout(function () { t.hidden = true; }, isError ? 6000 : 3000);
  };

  // ---- API -------------------------------------------------------------------

  function ApiError(status, body) {
    this.status = status;
    this.code = (body && body.error) || 'error';
    this.message = (body && body.error_description) || 'The request failed (HTTP ' + status + ').';
    this.field = (body && body.field) || '';
  }

  // api('GET', 'applications?offset=0') -> the parsed JSON (null for 204).
  A.api = function (method, path, body) {
    var headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (method !== 'GET' && session.csrf) headers['X-CSRF-Token'] = session.csrf;
    return fetch('/admin/api/' + path, {
      method: method, headers: headers, credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (res) {
      if (res.status === 204) return null;
      return res.json().catch(function () { return null; }).then(function (data) {
        if (res.ok) return data;
        var err = new ApiError(res.status, data);
        if (res.status === 401 && path !== 'session') {
          showSignIn('Your session has ended. Sign in again.');
        }
        throw err;
      });
    }, function () {
      throw new ApiError(0, { error_description: 'The server could not be reached. Check that atm is running.' });
    });
  };

  // ---- forms -----------------------------------------------------------------

  // Some API fields are shown by another input (redirect_url -> the redirect_urls box).
  var FIELD_ALIASES = { redirect_url: 'redirect_urls' };

  A.clearErrors = function (form) {
    form.querySelectorAll('.field-error').forEach(function (p) { p.textContent = ''; });
    form.querySelectorAll('[aria-invalid]').forEach(function (i) { i.removeAttribute('aria-invalid'); });
    var general = form.querySelector('.form-error');
    if (general) { general.textContent = ''; general.hidden = true; }
  };

  // Shows the message next to the field at fault, or above the buttons.
  A.showError = function (form, field, message) {
    var name = FIELD_ALIASES[field] || field;
    var slot = name && form.querySelector('.field-error[data-for="' + name + '"]');
    if (slot) {
      slot.textContent = message;
      var input = form.querySelector('[name="' + name + '"]');
      if (input) {
        input.setAttribute('aria-invalid', 'true');
        if (slot.id) input.setAttribute('aria-describedby', slot.id);
        input.focus();
      }
      return;
    }
    var general = form.querySelector('.form-error');
    general.textContent = message;
    general.hidden = false;
  };

  // Runs `work` (returning a promise) with the submit button busy; API errors
  // are shown in the form. Resolves to true on success.
  A.submitting = function (form, work) {
    A.clearErrors(form);
    var buttons = form.querySelectorAll('button');
    buttons.forEach(function (b) { b.disabled = true; });
    return Promise.resolve().then(work).then(function () { return true; }, function (err) {
      if (err && err.status === 401 && !form.closest('#view-signin')) return false;
      A.showError(form, err && err.field, (err && err.message) || String(err));
      return false;
    }).then(function (ok) {
      buttons.forEach(function (b) { b.disabled = false; });
      return ok;
    });
  };

  // The lines of a textarea, trimmed, without blanks.
  A.lines = function (text) {
    return text.split('\n').map(function (s) { return s.trim(); }).filter(Boolean);
  };

  // ---- dialogs ---------------------------------------------------------------

  A.openDialog = function (dialog) {
    dialog.atmOpener = document.activeElement;
    var form = dialog.querySelector('form');
    if (form) A.clearErrors(form);
    dialog.showModal();
    var first = dialog.querySelector('input:not([type=hidden]):not([disabled]), textarea, select:not([disabled])');
    (first || dialog.querySelector('button')).focus();
  };
  A.closeDialog = function (dialog) {
    if (dialog.open) dialog.close();
  };
  // Focus returns to what opened the dialog, unless another dialog took over.
  document.addEventListener('close', function (e) {
    var back = e.target.atmOpener;
    if (back && document.contains(back) && !document.querySelector('dialog[open]')) back.focus();
  }, true);
  document.addEventListener('click', function (e) {
    var close = e.target.closest('[data-close]');
    if (close) A.closeDialog(close.closest('dialog'));
  });

  // Asks before a destructive action; `action` runs while the dialog shows,
  // and its error is shown in the dialog.
  A.confirm = function (title, message, okLabel, action) {
    var dialog = A.$('confirm-dialog');
    A.$('confirm-title').textContent = title;
    A.$('confirm-message').textContent = message;
    var ok = A.$('confirm-ok');
    ok.textContent = okLabel;
    var fresh = ok.cloneNode(true);
    ok.replaceWith(fresh);
    fresh.addEventListener('click', function () {
      A.submitting(dialog.querySelector('form'), action).then(function (done) {
        if (done) A.closeDialog(dialog);
      });
    });
    A.openDialog(dialog);
    dialog.querySelector('[data-close]').focus();
  };

  // ---- copy ------------------------------------------------------------------

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    var area = A.h('textarea', { readonly: true, class: 'sr-only' });
    area.value = text;
    document.body.appendChild(area);
    area.select();
    var ok = document.execCommand('copy');
    area.remove();
    return ok ? Promise.resolve() : Promise.reject(new Error('copy failed'));
  }
  document.addEventListener('click', function (e) {
    var button = e.target.closest('[data-copy-from]');
    if (!button) return;
    var text = A.$(button.getAttribute('data-copy-from')).textContent;
    copyText(text).then(function () {
      button.textContent = 'Copied';
      setTimeout(function () { button.textContent = 'Copy'; }, 2000);
    }, function () { A.toast('Copy failed: select the text and copy it by hand.', true); });
  });

  // ---- pagination ------------------------------------------------------------

  // Fills `container` with "1–50 of 120  [Previous] [Next]"; `go(offset)` loads a page.
  A.pager = function (container, page, go) {
    container.textContent = '';
    if (page.total <= page.limit && page.offset === 0) return;
    var last = Math.min(page.offset + page.items.length, page.total);
    container.appendChild(A.h('span', { class: 'muted' },
      (page.items.length ? page.offset + 1 : 0) + '–' + last + ' of ' + page.total));
    container.appendChild(A.h('button', {
      class: 'btn small', type: 'button', disabled: page.offset === 0,
      onclick: function () { go(Math.max(0, page.offset - page.limit)); }
    }, 'Previous'));
    container.appendChild(A.h('button', {
      class: 'btn small', type: 'button', disabled: last >= page.total,
      onclick: function () { go(page.offset + page.limit); }
    }, 'Next'));
  };

  A.date = function (seconds) { return new Date(seconds * 1000).toLocaleString(); };

  // ---- views and routing -----------------------------------------------------

  var VIEWS = ['view-signin', 'view-apps', 'view-app', 'view-audit'];
  A.showView = function (id) {
    A.$('loading').hidden = true;
    VIEWS.forEach(function (v) { A.$(v).hidden = v !== id; });
    A.$('topbar').hidden = id === 'view-signin';
    // The top navigation marks the section shown.
    var section = id === 'view-audit' ? '#/audit' : '#/applications';
    document.querySelectorAll('.topnav a').forEach(function (a) {
      if (a.getAttribute('href') === section) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    });
  };

  function route() {
    if (!session.username) return;
    var parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
    if (parts[0] === 'audit') {
      A.views.audit.show();
    } else if (parts[0] === 'applications' && parts[1]) {
      A.views.app.show(parts[1], parts[2] === 'users' ? 'users' : 'settings');
    } else {
      A.views.apps.show();
    }
  }
  A.go = function (hash) {
    if (location.hash === hash) route();
    else location.hash = hash;
  };
  window.addEventListener('hashchange', route);

  // ---- sign-in and sign-out --------------------------------------------------

  function signedIn(data) {
    session.username = data.username;
    session.csrf = data.csrf_token || '';
    A.$('who').textContent = data.username;
    route();
  }

  function showSignIn(message) {
    session.username = '';
    session.csrf = '';
    document.querySelectorAll('dialog[open]').forEach(function (d) { d.close(); });
    A.showView('view-signin');
    var form = A.$('signin-form');
    A.clearErrors(form);
    if (message) A.showError(form, '', message);
    A.$('signin-username').focus();
  }

  A.$('signin-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var form = e.target;
    var username = form.username.value.trim();
    var password = form.password.value;
    A.submitting(form, function () {
      if (!username) throw { field: 'username', message: 'Enter your username.' };
      if (!password) throw { field: 'password', message: 'Enter your password.' };
      return A.api('POST', 'session', { username: username, password: password }).then(function (data) {
        form.password.value = '';
        signedIn(data);
      });
    });
  });

  A.$('sign-out').addEventListener('click', function () {
    A.api('DELETE', 'session').catch(function () { /* signed out either way */ }).then(function () {
      showSignIn('You are signed out.');
    });
  });

  // Deferred scripts (the views) have all run by DOMContentLoaded.
  document.addEventListener('DOMContentLoaded', function () {
    A.api('GET', 'session').then(signedIn, function () { showSignIn(''); });
  });
})();
