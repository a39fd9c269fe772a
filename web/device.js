// The device verification page (RFC 8628 §3.3): the user types the code the
// device shows (or follows verification_uri_complete, which carries it), signs
// in to the device's application, and allows or denies the device. Each step
// posts JSON to atm: /device/code, /device/signin, /device/decide.
(function () {
  'use strict';
  var query = new URLSearchParams(window.location.search);
  var title = document.getElementById('title');
  var subtitle = document.getElementById('subtitle');
  var codeForm = document.getElementById('code-form');
  var codeInput = document.getElementById('user-code');
  var loginForm = document.getElementById('login-form');
  var consent = document.getElementById('consent');
  var errorBox = document.getElementById('error');
  var state = { userCode: '', application: '', ticket: '' };

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
  }

  // Posts `payload` to `path`; resolves to the answer's JSON, or shows its
  // error and resolves to null.
  function post(path, payload) {
    errorBox.hidden = true;
    return fetch(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      credentials: 'same-origin',
      body: JSON.stringify(payload)
    }).then(function (response) {
      return response.json().then(function (data) {
        if (response.ok) return data;
        showError(data.error_description || 'That did not work. Try again.');
        return null;
      });
    }).catch(function () {
      showError('The server could not be reached. Try again.');
      return null;
    });
  }

  function busy(form, on) {
    Array.prototype.forEach.call(form.querySelectorAll('button'), function (b) { b.disabled = on; });
  }

  function step(name) {
    codeForm.hidden = name !== 'code';
    loginForm.hidden = name !== 'login';
    consent.hidden = name !== 'consent';
  }

  function checkCode() {
    var typed = codeInput.value.trim();
    if (!typed) {
      showError('Enter the code shown on your device.');
      return;
    }
    busy(codeForm, true);
    post('/device/code', { user_code: typed }).then(function (data) {
      busy(codeForm, false);
      if (!data) return;
      state.userCode = data.user_code;
      state.application = data.application;
      title.textContent = 'Sign in';
      subtitle.textContent = 'to connect your device to ' + data.application;
      step('login');
      document.getElementById('email').focus();
    });
  }

  codeForm.addEventListener('submit', function (event) {
    event.preventDefault();
    checkCode();
  });

  loginForm.addEventListener('submit', function (event) {
    event.preventDefault();
    var email = document.getElementById('email').value.trim();
    var password = document.getElementById('password').value;
    if (!email || !password) {
      showError('Enter your email and password.');
      return;
    }
    busy(loginForm, true);
    post('/device/signin', { user_code: state.userCode, loginId: email, password: password }).then(function (data) {
      busy(loginForm, false);
      if (!data) return;
      state.ticket = data.ticket;
      title.textContent = 'Allow ' + state.application + '?';
      subtitle.textContent = 'A device asks to use ' + state.application + ' as you.';
      document.getElementById('consent-user').textContent = data.user;
      document.getElementById('consent-code').textContent = state.userCode;
      step('consent');
    });
  });

  function decide(allow) {
    busy(consent, true);
    post('/device/decide', { user_code: state.userCode, ticket: state.ticket, decision: allow ? 'allow' : 'deny' }).then(function (data) {
      if (!data) {
        busy(consent, false);
        return;
      }
      step('none');
      title.textContent = allow ? 'Device connected' : 'Device denied';
      subtitle.textContent = allow
        ? 'You can return to your device: it is signed in to ' + state.application + '.'
        : 'The device was not allowed. You can close this window.';
    });
  }
  document.getElementById('allow').addEventListener('click', function () { decide(true); });
  document.getElementById('deny').addEventListener('click', function () { decide(false); });

  // verification_uri_complete: the code is in the link; the user still checks
  // it against the device on the consent step.
  if (query.get('user_code')) {
    codeInput.value = query.get('user_code');
    checkCode();
  }
})();
