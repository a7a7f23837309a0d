// Suggestions under the header search box, from GET /api/search as the person types. Without
// JavaScript the box is a plain form that opens the search page. Text is put in with textContent
// only, so titles and snippets can never become markup. The box is a combobox: the options live in a named
// listbox, the highlighted one is named by aria-activedescendant, and focus stays in the box.
(() => {
  const form = document.querySelector('form[data-suggest]');
  if (!form) return;
  const input = form.querySelector('input[name="q"]');
  const panel = form.querySelector('.suggestions');
  const list = panel.querySelector('[role="listbox"]');
  const note = panel.querySelector('.suggest-note');
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

  function say(text) {
    note.textContent = text || '';
    note.hidden = !text;
  }

  function close() {
    panel.hidden = true;
    list.replaceChildren();
    say('');
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  }

  function open() {
    panel.hidden = false;
    input.setAttribute('aria-expanded', 'true');
  }

  function option(href, build, className) {
    const li = document.createElement('li');
    li.setAttribute('role', 'option');
    li.setAttribute('aria-selected', 'false');
    li.id = `suggestion-${list.children.length}`;
    li.dataset.href = href;
    if (className) li.className = className;
    build(li);
    return li;
  }

  function show(q, data) {
    list.replaceChildren();
    input.removeAttribute('aria-activedescendant');
    active = -1;
    say(data.notice && data.notice.kind === 'fuzzy' ? `Showing results for “${data.notice.text}”` : data.results.length ? '' : 'No pages match yet.');
    for (const r of data.results) {
      list.append(option(r.url, (li) => {
        const title = document.createElement('span');
        title.className = 'title';
        title.append(marked(r.title, r.title_highlights));
        const small = document.createElement('small');
        small.append(marked(r.snippet, r.highlights));
        li.append(title, small);
      }));
    }
    list.append(option(`/search?q=${encodeURIComponent(q)}`, (li) => {
      li.textContent = data.total > data.results.length ? `All ${data.total} results for “${q}”` : `Open the search page for “${q}”`;
    }, 'all'));
    open();
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
        say(body.message || 'Search is not available right now.');
        open();
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
    input.setAttribute('aria-activedescendant', items[active].id);
    items[active].scrollIntoView({ block: 'nearest' });
  }

  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(suggest, 120);
  });
  input.addEventListener('keydown', (e) => {
    if (panel.hidden) return;
    if (e.key === 'ArrowDown') { e.preventDefault(); move(1); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); move(-1); }
    else if (e.key === 'Escape') close();
    else if (e.key === 'Enter' && active >= 0) {
      const chosen = list.querySelectorAll('[role="option"]')[active];
      if (chosen) { e.preventDefault(); window.location.href = chosen.dataset.href; }
    }
  });
  list.addEventListener('click', (e) => {
    const chosen = e.target.closest('[role="option"]');
    if (chosen) window.location.href = chosen.dataset.href;
  });
  document.addEventListener('click', (e) => { if (!form.contains(e.target)) close(); });
})();
