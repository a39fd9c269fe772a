// atm admin console: an application's Application Users tab. List and search
// by email, create (first name, last name, email, password, confirm
// password), edit, disable / enable, reset the password, remove.
(function () {
  'use strict';
  var A = window.AtmAdmin;
  var h = A.h;
  var PAGE = 25;
  var app = null;      // the application whose users are shown
  var offset = 0;
  var editing = null;  // the user being edited, or null when creating
  var resetting = null;
  var searchTimer = null;

  function usersPath(suffix) {
    return 'applications/' + encodeURIComponent(app.client_id) + '/users' + (suffix || '');
  }
  function userPath(user, suffix) {
    return usersPath('/' + encodeURIComponent(user.id) + (suffix || ''));
  }
  function fullName(user) {
    return [user.first_name, user.last_name].filter(Boolean).join(' ');
  }

  function row(user) {
    var label = fullName(user) || user.email;
    return h('tr', { 'data-user-id': user.id, 'data-email': user.email },
      h('td', { 'data-label': 'Name' }, fullName(user) || h('span', { class: 'muted' }, '—')),
      h('td', { 'data-label': 'Email' }, user.email),
      h('td', { 'data-label': 'Status' }, user.disabled
        ? h('span', { class: 'badge off' }, 'Disabled')
        : h('span', { class: 'badge ok' }, 'Active')),
      h('td', { class: 'actions' }, h('div', { class: 'row-actions' },
        h('button', { class: 'btn small', type: 'button', 'aria-label': 'Edit ' + label,
          onclick: function () { openEdit(user); } }, 'Edit'),
        h('button', { class: 'btn small', type: 'button',
          'aria-label': (user.disabled ? 'Enable ' : 'Disable ') + label,
          onclick: function () { setDisabled(user, !user.disabled); } }, user.disabled ? 'Enable' : 'Disable'),
        h('button', { class: 'btn small', type: 'button', 'aria-label': 'Reset the password of ' + label,
          onclick: function () { openReset(user); } }, 'Reset password'),
        h('button', { class: 'btn small danger', type: 'button', 'aria-label': 'Remove ' + label,
          onclick: function () { remove(user); } }, 'Remove'))));
  }

  function load(newOffset) {
    offset = newOffset;
    var search = A.$('user-search').value.trim();
    var query = '?offset=' + offset + '&limit=' + PAGE + (search ? '&email=' + encodeURIComponent(search) : '');
    return A.api('GET', usersPath(query)).then(function (page) {
      if (page.items.length === 0 && page.offset > 0) return load(Math.max(0, page.offset - PAGE));
      var body = A.$('users-table').querySelector('tbody');
      body.textContent = '';
      page.items.forEach(function (u) { body.appendChild(row(u)); });
      A.$('users-table').hidden = page.total === 0;
      var empty = A.$('users-empty');
      empty.hidden = page.total !== 0;
      empty.textContent = search
        ? 'No user of this application has an email containing "' + search + '".'
        : 'No users yet. Create one: they can then sign in to ' + app.name + ' at /login.';
      A.pager(A.$('users-pager'), page, load);
    }).catch(function (err) { if (err.status !== 401) A.toast(err.message, true); });
  }

  // Reloads the list and the application's user count.
  function changed(message) {
    A.toast(message);
    A.views.app.refresh();
    return load(offset);
  }

  A.views.users = {
    load: function (application) {
      if (!app || app.client_id !== application.client_id) {
        A.$('user-search').value = '';
        offset = 0;
      }
      app = application;
      return load(offset);
    }
  };

  A.$('user-search').addEventListener('input', function () {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(function () { load(0); }, 250);
  });

  // ---- create and edit -------------------------------------------------------

  function showPasswordFields(show) {
    A.$('user-form').querySelectorAll('[data-create-only]').forEach(function (f) { f.hidden = !show; });
  }

  A.$('new-user').addEventListener('click', function () {
    editing = null;
    var form = A.$('user-form');
    form.reset();
    A.$('user-dialog-title').textContent = 'Create user';
    showPasswordFields(true);
    A.openDialog(A.$('user-dialog'));
  });

  function openEdit(user) {
    editing = user;
    var form = A.$('user-form');
    form.reset();
    form.first_name.value = user.first_name;
    form.last_name.value = user.last_name;
    form.email.value = user.email;
    A.$('user-dialog-title').textContent = 'Edit user';
    showPasswordFields(false);
    A.openDialog(A.$('user-dialog'));
  }

  A.$('user-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var form = e.target;
    var body = {
      first_name: form.first_name.value.trim(),
      last_name: form.last_name.value.trim(),
      email: form.email.value.trim()
    };
    A.submitting(form, function () {
      if (!body.email) throw { field: 'email', message: 'Enter the user\'s email.' };
      if (editing) {
        return A.api('PATCH', userPath(editing), body).then(function () {
          A.closeDialog(A.$('user-dialog'));
          return changed('User ' + body.email + ' saved.');
        });
      }
      body.password = form.password.value;
      body.confirm_password = form.confirm_password.value;
      if (!body.password) throw { field: 'password', message: 'Enter a password.' };
      if (body.password !== body.confirm_password) {
        throw { field: 'confirm_password', message: 'The passwords do not match.' };
      }
      return A.api('POST', usersPath(), body).then(function () {
        A.closeDialog(A.$('user-dialog'));
        return changed('User ' + body.email + ' created.');
      });
    });
  });

  // ---- disable, reset, remove ------------------------------------------------

  function setDisabled(user, disabled) {
    A.api('PATCH', userPath(user), { disabled: disabled }).then(function () {
      return changed(user.email + (disabled ? ' is disabled: they can no longer sign in.' : ' is enabled again.'));
    }, function (err) { if (err.status !== 401) A.toast(err.message, true); });
  }

  function openReset(user) {
    resetting = user;
    A.$('password-form').reset();
    A.$('password-dialog-user').textContent = 'For ' + user.email + '.';
    A.openDialog(A.$('password-dialog'));
  }

  A.$('password-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var form = e.target;
    var body = { password: form.password.value, confirm_password: form.confirm_password.value };
    A.submitting(form, function () {
      if (!body.password) throw { field: 'password', message: 'Enter the new password.' };
      if (body.password !== body.confirm_password) {
        throw { field: 'confirm_password', message: 'The passwords do not match.' };
      }
      return A.api('POST', userPath(resetting, '/password'), body).then(function () {
        A.closeDialog(A.$('password-dialog'));
        A.toast('The password of ' + resetting.email + ' is changed.');
      });
    });
  });

  function remove(user) {
    A.confirm('Remove ' + user.email + '?',
      'They will no longer be able to sign in to ' + app.name + ', and their tokens are revoked.',
      'Remove user', function () {
        return A.api('DELETE', userPath(user)).then(function () { return changed(user.email + ' removed.'); });
      });
  }
})();
