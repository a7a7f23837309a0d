// Suggestions for every entry of a comma-separated list of people and teams (owners, and the teams a
// page is restricted to), not only the first: the entry under the cursor is looked up in the
// directory and replaced by the handle picked. Without JavaScript the fields keep their datalists.
(function () {
  const fields = [
    { input: document.getElementById('f-owners'), kinds: ['people', 'teams'], label: 'People and teams' },
    { input: document.getElementById('f-restricted_to'), kinds: ['teams'], label: 'Teams' },
  ];

  for (const { input, kinds, label } of fields) {
    if (input) combobox(input, kinds, label);
  }

  function combobox(input, kinds, label) {
    const id = `${input.id}-suggestions`;
    const list = document.createElement('ul');
    list.id = id;
    list.className = 'combo-suggestions';
    list.setAttribute('role', 'listbox');
    list.setAttribute('aria-label', label);
    list.hidden = true;
    // The list sits beside the field's label (a list may not go inside a label).
    const holder = input.closest('label') || input;
    const wrapper = document.createElement('div');
    wrapper.className = 'owners-field';
    holder.replaceWith(wrapper);
    wrapper.append(holder, list);

    input.removeAttribute('list');
    input.setAttribute('role', 'combobox');
    input.setAttribute('aria-autocomplete', 'list');
    input.setAttribute('aria-expanded', 'false');
    input.setAttribute('aria-controls', id);
    input.setAttribute('autocomplete', 'off');

    let seq = 0;
    let timer = 0;
    let active = -1;
    let found = [];

    /** The comma-separated entry the cursor is in: where it starts and ends, and its text. */
    function entry() {
      const v = input.value;
      const caret = input.selectionStart ?? v.length;
      const start = v.lastIndexOf(',', caret - 1) + 1;
      let end = v.indexOf(',', caret);
      if (end < 0) end = v.length;
      return { start, end, text: v.slice(start, end).trim() };
    }

    function close() {
      list.hidden = true;
      list.replaceChildren();
      input.setAttribute('aria-expanded', 'false');
      input.removeAttribute('aria-activedescendant');
      active = -1;
      found = [];
    }

    function highlight(i) {
      active = i;
      [...list.children].forEach((li, n) => li.setAttribute('aria-selected', String(n === i)));
      if (list.children[i]) input.setAttribute('aria-activedescendant', list.children[i].id);
    }

    function show(parties) {
      list.replaceChildren();
      found = parties;
      parties.forEach((p, i) => {
        const li = document.createElement('li');
        li.id = `${id}-${i}`;
        li.setAttribute('role', 'option');
        li.setAttribute('aria-selected', 'false');
        li.textContent = p.name;
        const small = document.createElement('small');
        small.textContent = ` ${p.handle}${p.kind === 'team' ? ' · team' : ''}`;
        li.append(small);
        li.addEventListener('mousedown', (e) => { e.preventDefault(); pick(i); });
        list.append(li);
      });
      list.hidden = parties.length === 0;
      input.setAttribute('aria-expanded', String(parties.length > 0));
      if (parties.length) highlight(0);
    }

    async function suggest() {
      const { text } = entry();
      if (!text) return close();
      const mine = ++seq;
      try {
        const res = await fetch(`/api/people?q=${encodeURIComponent(text)}`, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
        if (mine !== seq) return;
        if (!res.ok) return close();
        const data = await res.json();
        const taken = input.value.split(',').map((s) => s.trim());
        const parties = kinds.flatMap((k) => data[k] || [])
          .filter((p) => p.status !== 'departed' && !taken.includes(p.handle))
          .slice(0, 8);
        show(parties);
      } catch {
        if (mine === seq) close();
      }
    }

    function pick(i) {
      const p = found[i];
      if (!p) return close();
      const { start, end } = entry();
      const v = input.value;
      const before = v.slice(0, start).replace(/\s*$/, '');
      const after = v.slice(end);
      const lead = before ? `${before} ` : '';
      const value = `${lead}${p.handle}${after ? after : ', '}`;
      input.value = value;
      const caret = (lead + p.handle).length + (after ? 0 : 2);
      input.setSelectionRange(caret, caret);
      close();
      input.dispatchEvent(new Event('change', { bubbles: true }));
    }

    input.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(suggest, 120);
    });
    input.addEventListener('blur', () => setTimeout(close, 100));
    input.addEventListener('keydown', (e) => {
      if (list.hidden || !found.length) {
        if (e.key === 'ArrowDown') { e.preventDefault(); suggest(); }
        return;
      }
      if (e.key === 'ArrowDown') { e.preventDefault(); highlight((active + 1) % found.length); }
      else if (e.key === 'ArrowUp') { e.preventDefault(); highlight((active - 1 + found.length) % found.length); }
      else if ((e.key === 'Enter' || e.key === 'Tab') && !e.ctrlKey && !e.metaKey && active >= 0) { e.preventDefault(); pick(active); }
      else if (e.key === 'Escape') { e.preventDefault(); close(); }
    });
  }
})();
