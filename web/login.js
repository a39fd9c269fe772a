// The login page: posts the credentials to /auth with the PKCE parameters of
// this page's URL, then sends the browser to the application's redirect URL
// with ?code=...&state=... With a user picker (testing), a pick posts the
// user's email with pick=1 instead of a password.
(function () {
  'use strict';
  var query = new URLSearchParams(window.location.search);
  var form = document.getElementById('login-form');
  var errorBox = document.getElementById('error');
  var submit = document.getElementById('submit');

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
  }

  function body(email, password) {
    var out = {
      loginId: email,
      password: password,
      clientId: query.get('clientId') || query.get('client_id') || '',
      code_challenge: query.get('code_challenge') || '',
      code_challenge_method: query.get('code_challenge_method') || ''
    };
    ['redirect_uri', 'scope', 'nonce', 'session'].forEach(function (name) {
      if (query.has(name)) out[name] = query.get(name);
    });
    return out;
  }

  // Posts the sign-in; `done` re-enables the page after a failure.
  function signIn(payload, done) {
    fetch('/auth', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      credentials: 'same-origin',
      body: JSON.stringify(payload)
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      if (!result.ok) {
        showError(result.data.error_description || 'Sign-in failed.');
        done();
        return;
      }
      var target = new URL(result.data.redirectUrl);
      target.searchParams.set('code', result.data.code);
      if (query.has('state')) target.searchParams.set('state', query.get('state'));
      window.location.assign(target.toString());
    }).catch(function () {
      showError('The server could not be reached. Try again.');
      done();
    });
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    errorBox.hidden = true;
    var email = document.getElementById('email').value.trim();
    var password = document.getElementById('password').value;
    if (!email || !password) {
      showError('Enter your email and password.');
      return;
    }
    submit.disabled = true;
    signIn(body(email, password), function () { submit.disabled = false; });
  });

  // Testing (README "Testing against atm"): a user picker replaces the form;
  // a pick signs that user in without a password.
  var picker = document.getElementById('user-picker');
  if (picker) {
    form.hidden = true;
    var picks = picker.querySelectorAll('button.pick');
    Array.prototype.forEach.call(picks, function (button) {
      button.addEventListener('click', function () {
        errorBox.hidden = true;
        Array.prototype.forEach.call(picks, function (b) { b.disabled = true; });
        var payload = body(button.getAttribute('data-email'), '');
        payload.pick = '1';
        signIn(payload, function () {
          Array.prototype.forEach.call(picks, function (b) { b.disabled = false; });
        });
      });
    });
    errorBox.parentNode.removeChild(errorBox);
    picker.parentNode.insertBefore(errorBox, picker.nextSibling);
  }
})();
