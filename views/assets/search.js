// Suggestions under the header search box, from GET /api/search as the person types. Without
// JavaScript the box is a plain form that opens the search page. Text is put in with textContent
// only, so titles and snippets can never become markup.
(() => {
  const form = document.querySelector('form[data-suggest]');
  if (!form) return;
  const input = form.querySelector('input[name="q"]');
  const list = form.querySelector('.suggestions');
  let timer = 0;
  let seq = 0;
  let active = -1;

  function marked(text, ranges) {
    const frag = document.createDocumentFragment();
    let at = 0;
    for (const [s, e] of ranges || []) {
      if (s < at) continue;
      frag.append(text.slice(at, s));
      const m = document.createElement('mark');
      m.textContent = text.slice(s, e);
      frag.append(m);
      at = e;
    }
    frag.append(text.slice(at));
    return frag;
  }

  function close() {
    list.hidden = true;
    list.replaceChildren();
    input.setAttribute('aria-expanded', 'false');
    active = -1;
  }

  function option(href, build, className) {
    const li = document.createElement('li');
    li.setAttribute('role', 'option');
    if (className) li.className = className;
    const a = document.createElement('a');
    a.href = href;
    build(a);
    li.append(a);
    return li;
  }

  function show(q, data) {
    list.replaceChildren();
    active = -1;
    if (data.notice && data.notice.kind === 'fuzzy') {
      const li = document.createElement('li');
      li.className = 'empty';
      li.textContent = `Showing results for “${data.notice.text}”`;
      list.append(li);
    }
    for (const r of data.results) {
      list.append(option(r.url, (a) => {
        a.append(marked(r.title, r.title_highlights));
        const small = document.createElement('small');
        small.append(marked(r.snippet, r.highlights));
        a.append(small);
      }));
    }
    if (!data.results.length) {
      const li = document.createElement('li');
      li.className = 'empty';
      li.textContent = 'No pages match yet.';
      list.append(li);
    }
    list.append(option(`/search?q=${encodeURIComponent(q)}`, (a) => {
      a.textContent = data.total > data.results.length ? `All ${data.total} results for “${q}”` : `Open the search page for “${q}”`;
    }, 'all'));
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
  }

  async function suggest() {
    const q = input.value;
    if (q.trim().length < 2) return close();
    const mine = ++seq;
    try {
      const res = await fetch(`${form.dataset.suggest}?limit=6&q=${encodeURIComponent(q)}`, { headers: { accept: 'application/json' } });
      if (mine !== seq) return;
      if (!res.ok) {
        const body = await res.json().catch(() => ({}));
        list.replaceChildren();
        const li = document.createElement('li');
        li.className = 'empty';
        li.textContent = body.message || 'Search is not available right now.';
        list.append(li);
        list.hidden = false;
        return;
      }
      show(q, await res.json());
    } catch {
      if (mine === seq) close();
    }
  }

  function move(delta) {
    const items = [...list.querySelectorAll('[role="option"]')];
    if (!items.length) return;
    active = (active + delta + items.length) % items.length;
    items.forEach((li, i) => li.setAttribute('aria-selected', String(i === active)));
  }

  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(suggest, 120);
  });
  input.addEventListener('keydown', (e) => {
    if (list.hidden) return;
    if (e.key === 'ArrowDown') { e.preventDefault(); move(1); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); move(-1); }
    else if (e.key === 'Escape') close();
    else if (e.key === 'Enter' && active >= 0) {
      const link = list.querySelectorAll('[role="option"] a')[active];
      if (link) { e.preventDefault(); window.location.href = link.href; }
    }
  });
  document.addEventListener('click', (e) => { if (!form.contains(e.target)) close(); });
})();
