// "Is it already documented?" While a new page's title is typed, pages that look the same are listed
// from the search engine, so an analyst finds the existing decision before writing a second one.
(function () {
  const box = document.getElementById('similar-pages');
  const title = document.getElementById('f-title');
  if (!box || !title) return;
  let seq = 0;
  let timer = 0;

  async function look() {
    const q = title.value.trim();
    if (q.length < 4) { box.hidden = true; box.replaceChildren(); return; }
    const mine = ++seq;
    try {
      const res = await fetch(`/api/search?limit=5&q=${encodeURIComponent(q)}`, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
      if (mine !== seq) return;
      // A title the query language cannot read (a stray quote) is no reason to bother the writer.
      const results = res.ok ? (await res.json()).results : [];
      box.replaceChildren();
      if (!results.length) { box.hidden = true; return; }
      const p = document.createElement('p');
      p.className = 'muted';
      p.textContent = 'Already documented? Pages that look the same:';
      const ul = document.createElement('ul');
      for (const r of results) {
        const li = document.createElement('li');
        const a = document.createElement('a');
        a.href = r.url;
        a.target = '_blank';
        a.rel = 'noopener';
        a.textContent = r.title;
        const hint = document.createElement('span');
        hint.className = 'visually-hidden';
        hint.textContent = ' (opens in a new tab)';
        a.append(hint);
        const small = document.createElement('small');
        small.className = 'muted';
        small.textContent = ` ${[r.system, r.module, r.status].filter(Boolean).join(' · ')}`;
        li.append(a, small);
        ul.append(li);
      }
      box.append(p, ul);
      box.hidden = false;
    } catch {
      if (mine === seq) box.hidden = true;
    }
  }

  title.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(look, 300);
  });
  if (title.value.trim()) look();
})();
