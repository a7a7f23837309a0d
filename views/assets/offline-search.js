// Search for the offline copy: a Lunr index built at export time (assets/search-index.js), queried in
// the browser, so the copy needs no server. Results are built with textContent, never as HTML.
(function () {
  'use strict';
  var data = window.WHYWIKI_SEARCH;
  var input = document.getElementById('offline-q');
  var box = document.getElementById('offline-results');
  if (!data || !input || !box || !window.lunr) return;
  var index = window.lunr.Index.load(data.index);
  var root = document.body.getAttribute('data-root') || '';

  function run(q) {
    var text = q.trim();
    while (box.firstChild) box.removeChild(box.firstChild);
    if (!text) { box.hidden = true; return; }
    var results = [];
    try {
      results = index.search(text);
      if (results.length === 0) {
        results = index.search(text.split(/\s+/).map(function (w) { return w.replace(/[:~^*+-]/g, '') + '*'; }).join(' '));
      }
    } catch (e) {
      results = [];
    }
    var h = document.createElement('h2');
    h.textContent = results.length + (results.length === 1 ? ' page' : ' pages') + ' for \u201c' + text + '\u201d';
    box.appendChild(h);
    var list = document.createElement('ol');
    list.className = 'offline-hits';
    results.slice(0, 50).forEach(function (r) {
      var d = data.docs[r.ref];
      if (!d) return;
      var li = document.createElement('li');
      var a = document.createElement('a');
      a.href = root + 'p/' + r.ref + '.html';
      a.textContent = d.t;
      var meta = document.createElement('small');
      meta.className = 'muted';
      meta.textContent = ' ' + d.s + (d.m ? ' \u203a ' + d.m : '') + ' \u00b7 ' + d.st;
      var why = document.createElement('div');
      why.className = 'summary';
      why.textContent = d.w;
      li.appendChild(a);
      li.appendChild(meta);
      li.appendChild(why);
      list.appendChild(li);
    });
    box.appendChild(list);
    box.hidden = false;
  }

  var params = new URLSearchParams(window.location.search);
  if (params.get('q')) { input.value = params.get('q'); run(input.value); }
  input.addEventListener('input', function () { run(input.value); });
  input.form.addEventListener('submit', function (e) { e.preventDefault(); run(input.value); });
})();
