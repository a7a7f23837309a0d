// Drafts for the page editor: what is typed is kept on the server every few seconds, offered again when the
// person comes back, and leaving with unsaved changes asks first. The form works without this script.
(function () {
  const form = document.querySelector('form.page-form');
  if (!form) return;
  const csrf = form.querySelector('input[name="_csrf"]').value;
  const baseInput = form.querySelector('input[name="base_version"]');
  const editMatch = /^\/p\/([a-z0-9-]+)\/edit$/.exec(new URL(form.action, location.href).pathname);
  const isNew = !editMatch;
  const retry = document.querySelector('.form-message') !== null; // the form came back refused
  const FIELDS = ['title', 'why', 'owners', 'system', 'module', 'status', 'go_live', 'review_every', 'requested_by', 'sponsor', 'tickets', 'records', 'supersedes', 'superseded_by', 'tags', 'restricted_to', 'body', 'summary'];
  const SAVE_EVERY_MS = 3000;

  // A new page has no slug yet: its draft is kept under a key made here, and posted with the form so the
  // created page replaces it. A refused form keeps the key it had, so its draft is not orphaned.
  function newKey() {
    const bytes = crypto.getRandomValues(new Uint8Array(12));
    return 'new-' + Array.from(bytes, (b) => (b % 36).toString(36)).join('');
  }
  let key = editMatch ? editMatch[1] : (retry && sessionStorage.getItem('whywiki-new-draft')) || newKey();
  let keyInput = null;
  function useKey(k) {
    key = k;
    if (!isNew) return;
    sessionStorage.setItem('whywiki-new-draft', k);
    if (!keyInput) {
      keyInput = document.createElement('input');
      keyInput.type = 'hidden';
      keyInput.name = 'draft_key';
      form.appendChild(keyInput);
    }
    keyInput.value = k;
  }
  useKey(key);

  const status = document.createElement('p');
  status.className = 'draft-status muted';
  status.setAttribute('role', 'status');
  status.setAttribute('aria-live', 'polite');
  form.querySelector('.form-actions').appendChild(status);

  function values() {
    const out = {};
    for (const name of FIELDS) {
      const el = form.elements.namedItem(name);
      if (el && 'value' in el) out[name] = el.value;
    }
    return out;
  }
  function fill(fields) {
    for (const [name, value] of Object.entries(fields)) {
      const el = form.elements.namedItem(name);
      if (!el || !('value' in el)) continue;
      el.value = value;
      el.dispatchEvent(new Event('input', { bubbles: true }));
    }
  }
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
  const time = (iso) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  const api = (method, body) =>
    fetch('/api/pages/' + key + '/draft', {
      method,
      credentials: 'same-origin',
      // No content type without a body: the server refuses an empty JSON body.
      headers: body === undefined ? { 'x-csrf-token': csrf } : { 'content-type': 'application/json', 'x-csrf-token': csrf },
      body: body === undefined ? undefined : JSON.stringify(body),
      keepalive: method === 'PUT',
    });

  const pristine = values(); // what the page had when the form opened
  let lastSaved = pristine; // what the server holds (or the page, before any draft)
  let submitting = false;
  let saving = false;

  async function saveDraft() {
    const now = values();
    if (saving || same(now, lastSaved)) return;
    saving = true;
    try {
      const res = await api('PUT', { base_version: baseInput ? Number(baseInput.value) : null, fields: now });
      const data = await res.json().catch(() => ({}));
      if (res.ok) {
        lastSaved = now;
        status.className = 'draft-status muted';
        status.textContent = 'Draft saved at ' + time(data.updated_at) + '.';
      } else {
        status.className = 'draft-status error';
        status.textContent = res.status === 422
          ? 'Draft not saved: ' + (data.errors || []).map((e) => e.field + ': ' + e.message).join(' ')
          : 'Draft not saved: ' + (data.message || 'the server refused it.');
      }
    } catch (e) {
      status.className = 'draft-status error';
      status.textContent = 'Draft not saved: the server could not be reached. Your text is still here.';
    } finally {
      saving = false;
    }
  }

  function changesList(draft) {
    const box = document.createElement('div');
    if (draft.changes.fields.length) {
      const ul = document.createElement('ul');
      for (const c of draft.changes.fields) {
        const li = document.createElement('li');
        li.textContent = c.from ? c.field + ': “' + c.from + '” → “' + c.to + '”' : c.field + ': “' + c.to + '”';
        ul.appendChild(li);
      }
      box.appendChild(ul);
    }
    if (draft.changes.body.length) {
      const pre = document.createElement('pre');
      pre.className = 'line-diff';
      // A long line scrolls sideways: the box takes focus so a keyboard can scroll it too.
      pre.tabIndex = 0;
      pre.setAttribute('aria-label', 'Lines the draft changes');
      for (const l of draft.changes.body) {
        const span = document.createElement('span');
        span.className = l.kind;
        span.textContent = (l.kind === 'added' ? '+ ' : '- ') + l.text + '\n';
        pre.appendChild(span);
      }
      box.appendChild(pre);
    }
    if (!box.childNodes.length) box.textContent = 'It is the same as the current version.';
    return box;
  }

  function offer(draft) {
    const section = document.createElement('section');
    section.className = 'draft-offer';
    section.setAttribute('aria-labelledby', 'draft-offer-heading');
    const h = document.createElement('h2');
    h.id = 'draft-offer-heading';
    h.textContent = 'You have a draft from ' + time(draft.updated_at);
    section.appendChild(h);
    if (draft.moved_on) {
      const warn = document.createElement('p');
      warn.className = 'form-message warning';
      warn.textContent = 'The page moved on: your draft started from version ' + draft.base_version + ', and it is now at version ' + draft.current_version + '. Continuing keeps your text; saving will show what changed so you can fold it in.';
      section.appendChild(warn);
    }
    const what = document.createElement('p');
    what.textContent = isNew ? 'Your unsaved new page “' + draft.title + '”:' : 'What it changes from the current version:';
    section.appendChild(what);
    section.appendChild(changesList(draft));
    const actions = document.createElement('p');
    const cont = document.createElement('button');
    cont.type = 'button';
    cont.className = 'draft-continue';
    cont.textContent = 'Continue the draft';
    const discard = document.createElement('button');
    discard.type = 'button';
    discard.className = 'secondary outline draft-discard';
    discard.textContent = 'Discard it';
    actions.append(cont, ' ', discard);
    section.appendChild(actions);
    // Above the template choice too: someone coming back wants their own work first.
    const anchor = document.querySelector('.template-choice') || form;
    anchor.parentNode.insertBefore(section, anchor);
    cont.addEventListener('click', () => {
      useKey(draft.slug);
      fill(draft.fields);
      if (baseInput && draft.base_version) baseInput.value = String(draft.base_version);
      lastSaved = values();
      section.remove();
      status.textContent = 'Continuing your draft from ' + time(draft.updated_at) + '.';
      form.elements.namedItem('title')?.focus();
    });
    discard.addEventListener('click', async () => {
      const k = key;
      key = draft.slug;
      await api('DELETE').catch(() => undefined);
      useKey(isNew ? newKey() : k);
      section.remove();
      status.textContent = 'Draft discarded.';
    });
  }

  async function findDraft() {
    if (retry) return null; // the person is mid-save; their text is in the form
    if (!isNew) {
      // Asked through the list first, so a page without a draft costs no 404 in the console.
      const mine = await fetch('/api/drafts', { credentials: 'same-origin' }).then((r) => (r.ok ? r.json() : { drafts: [] }));
      if (!mine.drafts.some((d) => d.slug === key)) return null;
      const res = await fetch('/api/pages/' + key + '/draft', { credentials: 'same-origin' });
      return res.ok ? res.json() : null;
    }
    // Any new page (blank, from a template or a copy) offers the latest unsaved new page: coming back by
    // the browser's history lands on the address the page was started from.
    const list = await fetch('/api/drafts', { credentials: 'same-origin' }).then((r) => (r.ok ? r.json() : { drafts: [] }));
    const latest = list.drafts.find((d) => d.new);
    if (!latest) return null;
    const res = await fetch('/api/pages/' + latest.slug + '/draft', { credentials: 'same-origin' });
    return res.ok ? res.json() : null;
  }

  findDraft()
    .then((draft) => {
      if (draft && !same(draft.fields, values())) offer(draft);
    })
    .catch(() => undefined);

  setInterval(saveDraft, SAVE_EVERY_MS);
  form.addEventListener('submit', () => {
    submitting = true;
  });
  window.addEventListener('beforeunload', (event) => {
    if (submitting || same(values(), pristine)) return;
    saveDraft(); // keepalive: the last words typed reach the server even if the person leaves
    event.preventDefault();
    event.returnValue = '';
  });
})();
