// @mentions suggested as they are typed, in every text box marked data-mentions (comments, the page
// body): the people and teams the directory finds for the letters after "@", picked with the arrow keys
// and Enter or a click. Without JavaScript an @handle typed in full works the same.
(function () {
  let count = 0;
  for (const input of document.querySelectorAll('textarea[data-mentions]')) attach(input);

  function attach(input) {
    const id = `mention-suggestions-${++count}`;
    const list = document.createElement('ul');
    list.id = id;
    list.className = 'suggestions link-suggestions mention-suggestions';
    list.setAttribute('role', 'listbox');
    list.setAttribute('aria-label', 'People and teams to mention');
    list.hidden = true;
    const status = document.createElement('p');
    status.className = 'visually-hidden';
    status.setAttribute('role', 'status');
    status.setAttribute('aria-live', 'polite');
    // The list sits under the text box, in a positioned holder (a list may not go inside a label).
    let holder = input.closest('.mention-field');
    if (!holder) {
      const label = input.closest('label') || input;
      holder = document.createElement('div');
      holder.className = 'mention-field';
      label.replaceWith(holder);
      holder.append(label);
    }
    holder.append(list, status);
    input.setAttribute('aria-controls', id);
    input.setAttribute('aria-autocomplete', 'list');

    let seq = 0;
    let timer = 0;
    let active = -1;
    let found = [];

    /** The "@letters" just before the caret, if the caret is at the end of one. */
    function typed() {
      if (input.selectionStart !== input.selectionEnd) return null;
      const caret = input.selectionStart;
      const m = input.value.slice(Math.max(0, caret - 41), caret).match(/(^|[^\w@/])@([a-zA-Z0-9][a-zA-Z0-9._-]{0,39})$/);
      return m ? { start: caret - m[2].length - 1, end: caret, q: m[2] } : null;
    }

    function close() {
      list.hidden = true;
      list.replaceChildren();
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
        small.textContent = ` @${p.handle}${p.kind === 'team' ? ' · team' : ''}`;
        li.append(small);
        li.addEventListener('mousedown', (e) => { e.preventDefault(); pick(i); });
        list.append(li);
      });
      status.textContent = parties.length ? `${parties.length} found: arrow keys to choose, Enter to mention.` : '';
      list.hidden = parties.length === 0;
      if (parties.length) highlight(0);
    }

    async function suggest() {
      const at = typed();
      if (!at) return close();
      const mine = ++seq;
      try {
        const res = await fetch(`/api/people?q=${encodeURIComponent(at.q)}`, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
        if (mine !== seq) return;
        if (!res.ok) return close();
        const data = await res.json();
        show([...(data.people || []), ...(data.teams || [])].filter((p) => p.status !== 'departed').slice(0, 8));
      } catch {
        if (mine === seq) close();
      }
    }

    function pick(i) {
      const p = found[i];
      const at = typed();
      if (!p || !at) return close();
      close();
      input.focus();
      input.setSelectionRange(at.start, at.end);
      const text = `@${p.handle} `;
      if (!document.execCommand('insertText', false, text)) input.setRangeText(text, at.start, at.end, 'end');
      status.textContent = `Mentioned ${p.name}.`;
    }

    input.addEventListener('input', () => {
      clearTimeout(timer);
      if (!typed()) return close();
      timer = setTimeout(suggest, 120);
    });
    input.addEventListener('blur', () => setTimeout(close, 100));
    // Capture: while the list is open its keys are the list's, before the editor's own shortcuts see them.
    input.addEventListener('keydown', (e) => {
      if (list.hidden || !found.length) return;
      if (e.key === 'ArrowDown') highlight((active + 1) % found.length);
      else if (e.key === 'ArrowUp') highlight((active - 1 + found.length) % found.length);
      else if ((e.key === 'Enter' || e.key === 'Tab') && !e.ctrlKey && !e.metaKey && active >= 0) pick(active);
      else if (e.key === 'Escape') close();
      else return;
      e.preventDefault();
      e.stopImmediatePropagation();
    }, true);
  }
})();
