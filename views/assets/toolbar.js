// Toolbar and keys for the page body: markdown formatting, an n×m table, code blocks, links, files and
// [[page links]] suggested by title as they are typed. Without JavaScript the toolbar stays hidden and
// the body is a plain markdown text box; the form saves the same either way.
(function () {
  const input = document.querySelector('textarea[data-preview]');
  if (!input) return;
  const form = input.form;
  const bar = document.querySelector('[data-md-toolbar]');
  const list = document.getElementById('page-link-suggestions');
  const status = document.getElementById('page-link-status');

  // A refused save: the summary of every error gets focus, so it is read first and its links lead on.
  const summary = document.getElementById('error-summary');
  if (summary) summary.focus();

  /** Replaces a range of the body, keeping the browser's undo history where it can. */
  function replace(start, end, text) {
    input.focus();
    input.setSelectionRange(start, end);
    if (!document.execCommand('insertText', false, text)) {
      input.setRangeText(text, start, end, 'end');
      input.dispatchEvent(new Event('input', { bubbles: true }));
    }
  }

  function wrap(before, after, placeholder) {
    const s = input.selectionStart;
    const e = input.selectionEnd;
    const text = input.value.slice(s, e) || placeholder;
    replace(s, e, before + text + after);
    input.setSelectionRange(s + before.length, s + before.length + text.length);
  }

  /** Adds a prefix to each selected line (numbered lists count up), or takes it away when all have it. */
  function prefixLines(prefixOf, pattern) {
    const v = input.value;
    const s = input.selectionStart;
    const start = v.lastIndexOf('\n', s - 1) + 1;
    let end = v.indexOf('\n', Math.max(input.selectionEnd - (input.selectionEnd > s && v[input.selectionEnd - 1] === '\n' ? 1 : 0), s));
    if (end < 0) end = v.length;
    const lines = v.slice(start, end).split('\n');
    const all = lines.every((l) => pattern.test(l));
    const out = lines.map((l, i) => (all ? l.replace(pattern, '') : prefixOf(i) + l)).join('\n');
    replace(start, end, out);
    input.setSelectionRange(start + out.length, start + out.length);
  }

  /** Text put on lines of its own, with the part to type next selected. */
  function block(text, selectFrom, selectLength) {
    const s = input.selectionStart;
    const e = input.selectionEnd;
    const before = input.value.slice(0, s);
    const pad = before && !before.endsWith('\n') ? '\n' : '';
    const lead = before && !before.endsWith('\n\n') ? (pad ? '\n\n' : '\n') : '';
    const after = input.value.slice(e).startsWith('\n') ? '\n' : '\n\n';
    replace(s, e, lead + text + after);
    const at = s + lead.length + selectFrom;
    input.setSelectionRange(at, at + selectLength);
  }

  function table(rows, cols) {
    const cells = (f) => `| ${Array.from({ length: cols }, (_, i) => f(i)).join(' | ')} |`;
    const head = cells((i) => `Column ${i + 1}`);
    const text = [head, cells(() => '---'), ...Array.from({ length: rows }, () => cells(() => '   '))].join('\n');
    block(text, 2, 'Column 1'.length);
  }

  function codeBlock() {
    const selected = input.value.slice(input.selectionStart, input.selectionEnd);
    const code = selected || 'code';
    block('```\n' + code + '\n```', 4, code.length);
  }

  function link() {
    const s = input.selectionStart;
    const e = input.selectionEnd;
    const text = input.value.slice(s, e);
    if (/^https?:\/\/\S+$/.test(text)) {
      replace(s, e, `[link text](${text})`);
      input.setSelectionRange(s + 1, s + 10);
    } else {
      // With words selected they become the label and the address is typed next; else the label is.
      const label = text || 'link text';
      replace(s, e, `[${label}](https://)`);
      const at = s + label.length + 3;
      if (text) input.setSelectionRange(at, at + 'https://'.length);
      else input.setSelectionRange(s + 1, s + 1 + label.length);
    }
  }

  function pageLink() {
    const s = input.selectionStart;
    replace(s, input.selectionEnd, '[[');
    input.setSelectionRange(s + 2, s + 2);
    suggest();
  }

  function attachFile() {
    const button = document.querySelector('.attach-button');
    if (button) button.click();
    // A page not yet created takes files once it exists: point at the note that says so.
    else document.querySelector('.attach-later')?.focus();
  }

  const actions = {
    bold: () => wrap('**', '**', 'bold text'),
    italic: () => wrap('_', '_', 'italic text'),
    heading: () => prefixLines(() => '## ', /^#{1,6} /),
    bullets: () => prefixLines(() => '- ', /^[-*] (?!\[[ xX]\] )/),
    numbers: () => prefixLines((i) => `${i + 1}. `, /^\d+\. /),
    checklist: () => prefixLines(() => '- [ ] ', /^[-*] \[[ xX]\] /),
    code: codeBlock,
    link,
    pagelink: pageLink,
    file: attachFile,
  };

  // The table button opens a small panel asking for rows and columns.
  const tablePanel = bar && bar.querySelector('[data-table-panel]');
  const tableButton = bar && bar.querySelector('[data-md="table"]');
  function toggleTablePanel(open) {
    tablePanel.hidden = !open;
    tableButton.setAttribute('aria-expanded', String(open));
    if (open) tablePanel.querySelector('input').focus();
  }

  if (bar) {
    bar.hidden = false;
    bar.addEventListener('click', (e) => {
      const button = e.target.closest('button');
      if (!button) return;
      const what = button.dataset.md;
      if (what === 'table') return toggleTablePanel(tablePanel.hidden);
      if (what === 'table-insert') {
        const clamp = (el) => Math.min(50, Math.max(1, Number.parseInt(el.value, 10) || 1));
        const [rows, cols] = [...tablePanel.querySelectorAll('input')].map(clamp);
        toggleTablePanel(false);
        return table(rows, cols);
      }
      if (actions[what]) actions[what]();
    });
    tablePanel.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') { toggleTablePanel(false); tableButton.focus(); }
      if (e.key === 'Enter') { e.preventDefault(); tablePanel.querySelector('[data-md="table-insert"]').click(); }
    });
  }

  // ---- [[ page links: suggestions by title from the search engine ----
  let seq = 0;
  let timer = 0;
  let active = -1;
  let results = [];
  let typed = null; // { start, end } of the "[[words" being typed

  function closeList() {
    if (!list) return;
    list.hidden = true;
    list.replaceChildren();
    input.removeAttribute('aria-activedescendant');
    active = -1;
    results = [];
    typed = null;
  }

  function typedLink() {
    if (input.selectionStart !== input.selectionEnd) return null;
    const caret = input.selectionStart;
    const m = input.value.slice(Math.max(0, caret - 100), caret).match(/\[\[([^[\]|\n]*)$/);
    return m ? { start: caret - m[0].length, end: caret, q: m[1] } : null;
  }

  function highlight(i) {
    const items = [...list.querySelectorAll('[role="option"]')];
    active = i;
    items.forEach((li, n) => li.setAttribute('aria-selected', String(n === i)));
    if (items[i]) input.setAttribute('aria-activedescendant', items[i].id);
    else input.removeAttribute('aria-activedescendant');
  }

  function show(found) {
    list.replaceChildren();
    results = found;
    found.forEach((r, i) => {
      const li = document.createElement('li');
      li.id = `page-link-option-${i}`;
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', 'false');
      li.textContent = r.title;
      const small = document.createElement('small');
      small.textContent = ` ${r.slug}`;
      li.append(small);
      li.addEventListener('mousedown', (e) => { e.preventDefault(); pick(i); });
      list.append(li);
    });
    if (status) status.textContent = found.length ? `${found.length} ${found.length === 1 ? 'page' : 'pages'} found: arrow keys to choose, Enter to link.` : 'No page with that title yet.';
    list.hidden = found.length === 0;
    if (found.length) highlight(0);
  }

  async function suggest() {
    if (!list) return;
    typed = typedLink();
    if (!typed) return closeList();
    const q = typed.q.trim();
    if (q.length < 2) { list.hidden = true; return; }
    const mine = ++seq;
    try {
      const res = await fetch(`/api/search?limit=8&q=${encodeURIComponent(q)}`, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
      if (mine !== seq || !typed) return;
      // A query the engine cannot read (a stray * or quote) simply suggests nothing.
      show(res.ok ? (await res.json()).results.map((r) => ({ slug: r.slug, title: r.title })) : []);
    } catch {
      if (mine === seq) closeList();
    }
  }

  function pick(i) {
    const r = results[i];
    const at = typed || typedLink();
    if (!r || !at) return closeList();
    const after = input.value.slice(at.end);
    // A closing "]]" typed ahead of time is taken over rather than doubled.
    const end = at.end + (after.startsWith(']]') ? 2 : 0);
    closeList();
    replace(at.start, end, `[[${r.slug}|${r.title}]]`);
    if (status) status.textContent = `Linked ${r.title}.`;
  }

  input.addEventListener('input', () => {
    if (!list) return;
    clearTimeout(timer);
    if (!typedLink()) return closeList();
    timer = setTimeout(suggest, 150);
  });
  input.addEventListener('blur', () => setTimeout(closeList, 100));

  // ---- keys ----
  input.addEventListener('keydown', (e) => {
    if (list && !list.hidden && results.length) {
      if (e.key === 'ArrowDown') { e.preventDefault(); return highlight((active + 1) % results.length); }
      if (e.key === 'ArrowUp') { e.preventDefault(); return highlight((active - 1 + results.length) % results.length); }
      if ((e.key === 'Enter' || e.key === 'Tab') && !e.ctrlKey && !e.metaKey && active >= 0) { e.preventDefault(); return pick(active); }
      if (e.key === 'Escape') { e.preventDefault(); return closeList(); }
    }
    if (!(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey) return;
    const key = e.key.toLowerCase();
    const map = { b: 'bold', i: 'italic', k: 'link' };
    if (map[key]) { e.preventDefault(); actions[map[key]](); }
  });

  // Ctrl+S saves from anywhere on the editor; Ctrl+Enter saves from any of the form's fields.
  document.addEventListener('keydown', (e) => {
    if (!(e.ctrlKey || e.metaKey) || e.altKey) return;
    const save = e.key.toLowerCase() === 's' || (e.key === 'Enter' && form.contains(e.target));
    if (!save) return;
    e.preventDefault();
    closeList();
    form.requestSubmit();
  });
})();
