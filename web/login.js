// The login page: posts the credentials to /auth with the PKCE parameters of
// this page's URL, then sends the browser to the application's redirect URL
// with ?code=...&state=...
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
    fetch('/auth', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      credentials: 'same-origin',
      body: JSON.stringify(body(email, password))
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      if (!result.ok) {
        showError(result.data.error_description || 'Sign-in failed.');
        submit.disabled = false;
        return;
      }
      var target = new URL(result.data.redirectUrl);
      target.searchParams.set('code', result.data.code);
      if (query.has('state')) target.searchParams.set('state', query.get('state'));
      window.location.assign(target.toString());
    }).catch(function () {
      showError('The server could not be reached. Try again.');
      submit.disabled = false;
    });
  });
})();
