// atm admin console: the applications grid, creating an application, and one
// application's Settings tab (edit, regenerate the secret, delete). Its
// Application Users tab is admin-users.js.
(function () {
  'use strict';
  var A = window.AtmAdmin;
  var h = A.h;
  var PAGE = 25;
  var appsOffset = 0;
  var current = null;  // the application shown in view-app

  function typeLabel(app) {
    return app.authenticator_type + (app.type === 'public' ? ' (public)' : '');
  }

  // Shows the credentials once, after creation or regeneration.
  function showSecret(clientId, secret) {
    A.$('secret-client-id').textContent = clientId;
    A.$('secret-value').textContent = secret || '';
    A.$('secret-field').hidden = !secret;
    A.openDialog(A.$('secret-dialog'));
  }

  // Once closed, the secret leaves the page: it is shown only once.
  A.$('secret-dialog').addEventListener('close', function () {
    A.$('secret-value').textContent = '';
  });

  // ---- the grid --------------------------------------------------------------

  function row(app) {
    var open = '#/applications/' + encodeURIComponent(app.client_id);
    return h('tr', { 'data-client-id': app.client_id },
      h('td', { 'data-label': 'Name' },
        h('a', { class: 'app-name', href: open }, app.name), ' ',
        app.disabled ? h('span', { class: 'badge off' }, 'Disabled') : null),
      h('td', { 'data-label': 'Client ID' }, h('code', {}, app.client_id)),
      h('td', { 'data-label': 'Type' }, h('span', { class: 'badge' }, app.authenticator_type), ' ',
        h('span', { class: 'badge neutral' }, app.type === 'public' ? 'Public' : 'Confidential')),
      h('td', { 'data-label': 'Redirect URL', class: 'url', title: app.redirect_urls.join('\n') }, app.redirect_url),
      h('td', { 'data-label': 'Users', class: 'num' }, app.user_count),
      h('td', { class: 'actions' }, h('div', { class: 'row-actions' },
        h('a', { class: 'btn small', href: open, 'aria-label': 'Edit ' + app.name, title: 'Edit' }, '✎ Edit'),
        h('a', { class: 'btn small', href: open + '/users', 'aria-label': 'Users of ' + app.name }, 'Users'),
        app.type === 'public' ? null : h('button', {
          class: 'btn small', type: 'button', 'aria-label': 'Regenerate the secret of ' + app.name,
          onclick: function () { rotate(app); }
        }, 'Regenerate secret'),
        h('button', {
          class: 'btn small danger', type: 'button', 'aria-label': 'Delete ' + app.name,
          onclick: function () { remove(app); }
        }, 'Delete'))));
  }

  function loadApps(offset) {
    appsOffset = offset;
    return A.api('GET', 'applications?offset=' + offset + '&limit=' + PAGE).then(function (page) {
      if (page.items.length === 0 && page.offset > 0) return loadApps(Math.max(0, page.offset - PAGE));
      var body = A.$('apps-table').querySelector('tbody');
      body.textContent = '';
      page.items.forEach(function (app) { body.appendChild(row(app)); });
      A.$('apps-table').hidden = page.total === 0;
      A.$('apps-empty').hidden = page.total !== 0;
      A.pager(A.$('apps-pager'), page, loadApps);
    });
  }

  A.views.apps = {
    show: function () {
      A.showView('view-apps');
      document.title = 'Applications · atm admin';
      return loadApps(appsOffset).catch(function (err) { if (err.status !== 401) A.toast(err.message, true); });
    }
  };

  // ---- create ----------------------------------------------------------------

  A.$('new-app').addEventListener('click', function () {
    var form = A.$('app-form');
    form.reset();
    A.openDialog(A.$('app-dialog'));
  });

  A.$('app-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var form = e.target;
    var body = {
      name: form.name.value.trim(),
      type: form.querySelector('input[name=type]:checked').value,
      redirect_urls: A.lines(form.redirect_urls.value),
      web_origins: A.lines(form.web_origins.value),
      post_logout_redirect_urls: A.lines(form.post_logout_redirect_urls.value),
      device_grant: form.device_grant.checked
    };
    A.submitting(form, function () {
      if (!body.name) throw { field: 'name', message: 'Enter a name for the application.' };
      if (!body.redirect_urls.length) throw { field: 'redirect_urls', message: 'Enter the redirect URL of your application.' };
      return A.api('POST', 'applications', body).then(function (app) {
        A.closeDialog(A.$('app-dialog'));
        A.toast('Application "' + app.name + '" created.');
        appsOffset = 0;
        loadApps(0);
        showSecret(app.client_id, app.client_secret);
      });
    });
  });

  // ---- regenerate, delete ----------------------------------------------------

  function rotate(app) {
    A.confirm('Regenerate the client secret?',
      'The current secret of "' + app.name + '" stops working at once: update your application with the new one.',
      'Regenerate secret', function () {
        return A.api('POST', 'applications/' + encodeURIComponent(app.client_id) + '/secret').then(function (r) {
          A.closeDialog(A.$('confirm-dialog'));
          showSecret(r.client_id, r.client_secret);
        });
      });
  }

  function remove(app) {
    A.confirm('Delete "' + app.name + '"?',
      'This removes the application, its ' + app.user_count + ' user(s) and every token issued to it. It cannot be undone.',
      'Delete application', function () {
        return A.api('DELETE', 'applications/' + encodeURIComponent(app.client_id)).then(function () {
          A.toast('Application "' + app.name + '" deleted.');
          if (location.hash.indexOf('#/applications/') === 0) A.go('#/applications');
          else loadApps(appsOffset);
        });
      });
  }

  // ---- one application -------------------------------------------------------

  function fillSettings(app) {
    current = app;
    A.$('crumb-app').textContent = app.name;
    A.$('app-heading').textContent = app.name;
    A.$('app-type-label').textContent = typeLabel(app);
    A.$('app-client-id').textContent = app.client_id;
    var form = A.$('app-edit-form');
    form.name.value = app.name;
    form.redirect_urls.value = app.redirect_urls.join('\n');
    form.web_origins.value = app.web_origins.join('\n');
    form.post_logout_redirect_urls.value = app.post_logout_redirect_urls.join('\n');
    form.device_grant.checked = app.device_grant;
    form.disabled.checked = app.disabled;
    A.$('rotate-secret').closest('.danger-row').hidden = app.type === 'public';
    document.title = app.name + ' · atm admin';
  }

  function selectTab(tab) {
    ['settings', 'users'].forEach(function (t) {
      var button = A.$('tab-' + t);
      button.setAttribute('aria-selected', String(t === tab));
      button.tabIndex = t === tab ? 0 : -1;
      A.$('panel-' + t).hidden = t !== tab;
    });
  }

  A.views.app = {
    show: function (clientId, tab) {
      return A.api('GET', 'applications/' + encodeURIComponent(clientId)).then(function (app) {
        A.showView('view-app');
        fillSettings(app);
        selectTab(tab);
        if (tab === 'users') A.views.users.load(app);
      }, function (err) {
        if (err.status === 401) return;
        A.toast(err.status === 404 ? 'That application does not exist (any more).' : err.message, true);
        A.go('#/applications');
      });
    },
    current: function () { return current; },
    // Called by the users tab when the user count changes.
    refresh: function () {
      return A.api('GET', 'applications/' + encodeURIComponent(current.client_id)).then(fillSettings);
    }
  };

  // Tabs: click, or the arrow keys between them (WAI-ARIA tabs pattern).
  ['settings', 'users'].forEach(function (t) {
    A.$('tab-' + t).addEventListener('click', function () {
      A.go('#/applications/' + encodeURIComponent(current.client_id) + (t === 'users' ? '/users' : ''));
    });
  });
  A.$('tab-settings').parentNode.addEventListener('keydown', function (e) {
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
    var next = A.$('tab-settings').getAttribute('aria-selected') === 'true' ? 'users' : 'settings';
    A.$('tab-' + next).focus();
    A.$('tab-' + next).click();
  });

  A.$('app-edit-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var form = e.target;
    var body = {
      name: form.name.value.trim(),
      redirect_urls: A.lines(form.redirect_urls.value),
      web_origins: A.lines(form.web_origins.value),
      post_logout_redirect_urls: A.lines(form.post_logout_redirect_urls.value),
      device_grant: form.device_grant.checked,
      disabled: form.disabled.checked
    };
    A.submitting(form, function () {
      if (!body.name) throw { field: 'name', message: 'Enter a name for the application.' };
      if (!body.redirect_urls.length) throw { field: 'redirect_urls', message: 'Enter at least one redirect URL.' };
      return A.api('PATCH', 'applications/' + encodeURIComponent(current.client_id), body).then(function (app) {
        fillSettings(app);
        A.toast('Saved.');
      });
    });
  });

  A.$('rotate-secret').addEventListener('click', function () { rotate(current); });
  A.$('delete-app').addEventListener('click', function () { remove(current); });
})();
