// atm admin console: the audit trail (GET /admin/api/audit), newest first,
// filtered by kind, outcome, age and application, a page at a time.
(function () {
  'use strict';
  var A = window.AtmAdmin;
  var h = A.h;
  var PAGE = 50;

  function query(offset) {
    var q = ['offset=' + offset, 'limit=' + PAGE];
    [['kind', 'audit-kind'], ['outcome', 'audit-outcome'], ['since', 'audit-since'], ['client_id', 'audit-client']]
      .forEach(function (f) {
        var v = A.$(f[1]).value.trim();
        if (v) q.push(f[0] + '=' + encodeURIComponent(v));
      });
    return 'audit?' + q.join('&');
  }

  // The detail as short text: "name: "A" → "B"" for a change, else the JSON.
  function detailText(detail) {
    if (detail === null || detail === undefined) return '';
    if (typeof detail !== 'object') return String(detail);
    if (detail.before !== undefined && detail.after !== undefined && detail.before && detail.after) {
      return Object.keys(detail.after).map(function (k) {
        return k + ': ' + JSON.stringify(detail.before[k]) + ' → ' + JSON.stringify(detail.after[k]);
      }).join('; ');
    }
    return JSON.stringify(detail);
  }

  function row(e) {
    var bad = e.outcome !== 'success';
    return h('tr', { 'data-kind': e.kind },
      h('td', { 'data-label': 'Time', title: e.time }, A.date(e.at)),
      h('td', { 'data-label': 'Event' }, h('code', {}, e.kind)),
      h('td', { 'data-label': 'Outcome' }, h('span', { class: 'badge' + (bad ? ' off' : '') }, e.outcome)),
      h('td', { 'data-label': 'Who' }, e.actor),
      h('td', { 'data-label': 'Application' }, e.client_id ? h('code', {}, e.client_id) : ''),
      h('td', { 'data-label': 'Subject' }, e.subject ? h('code', {}, e.subject) : ''),
      h('td', { 'data-label': 'Address' }, e.address),
      h('td', { 'data-label': 'Detail', class: 'url' }, detailText(e.detail)));
  }

  function load(offset) {
    A.$('audit-error').hidden = true;
    return A.api('GET', query(offset)).then(function (page) {
      var body = A.$('audit-table').querySelector('tbody');
      body.textContent = '';
      page.items.forEach(function (e) { body.appendChild(row(e)); });
      A.$('audit-table').hidden = page.total === 0;
      A.$('audit-empty').hidden = page.total !== 0;
      A.pager(A.$('audit-pager'), page, load);
    }, function (err) {
      if (err.status === 401) return;
      var p = A.$('audit-error');
      p.textContent = err.message;
      p.hidden = false;
    });
  }

  A.$('audit-filter').addEventListener('submit', function (ev) {
    ev.preventDefault();
    load(0);
  });

  A.views.audit = {
    show: function () {
      A.showView('view-audit');
      document.title = 'Audit trail · atm admin';
      return load(0);
    }
  };
})();
