// Files in the editor: an "Add file" button, paste and drag-and-drop into the body. Each file is sent to
// the page's attachments as it arrives, with progress shown, and its markdown goes in at the cursor.
// Without JavaScript the form's plain file field does the same on save.
(function () {
  const box = document.querySelector('[data-attach]');
  const input = document.querySelector('textarea[data-preview]');
  if (!box || !input) return;
  const form = input.form;
  const csrf = form.querySelector('input[name="_csrf"]').value;
  const status = box.querySelector('.attach-status');
  const plain = box.querySelector('.attach-plain');

  // The script takes over from the plain field: a button, and the body itself as the drop target.
  plain.hidden = true;
  plain.querySelector('input[type="file"]').disabled = true;
  const picker = document.createElement('input');
  picker.type = 'file';
  picker.multiple = true;
  picker.hidden = true;
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'secondary outline attach-button';
  button.textContent = 'Add screenshot or file';
  button.addEventListener('click', () => picker.click());
  picker.addEventListener('change', () => {
    for (const f of picker.files) send(f);
    picker.value = '';
  });
  box.prepend(button, picker);

  // Files belong to a page that exists: the box is only on an existing page's editor.
  function targetSlug() {
    return box.dataset.slug;
  }

  function insertAtCursor(text) {
    const start = input.selectionStart;
    const end = input.selectionEnd;
    const before = input.value.slice(0, start);
    const after = input.value.slice(end);
    // A blank line on each side, so the image stands as its own paragraph whatever surrounds it.
    const pad = !before ? '' : before.endsWith('\n\n') ? '' : before.endsWith('\n') ? '\n' : '\n\n';
    const tail = after.startsWith('\n\n') ? '' : after.startsWith('\n') ? '\n' : '\n\n';
    input.setRangeText(`${pad}${text}${tail}`, start, end, 'end');
    input.dispatchEvent(new Event('input', { bubbles: true }));
    input.focus();
  }

  function line(text, kind) {
    const p = document.createElement('p');
    p.className = `attach-line ${kind || ''}`;
    p.textContent = text;
    status.append(p);
    return p;
  }

  function send(file) {
    const slug = targetSlug();
    const row = line(`${file.name || 'pasted image'}: uploading…`);
    const bar = document.createElement('progress');
    bar.max = 100;
    bar.value = 0;
    row.append(' ', bar);
    const data = new FormData();
    data.append('file', file, file.name || 'pasted-screenshot.png');
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/pages/${encodeURIComponent(slug)}/attachments`);
    xhr.setRequestHeader('x-csrf-token', csrf);
    xhr.responseType = 'json';
    xhr.upload.addEventListener('progress', (e) => {
      if (e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 90);
    });
    xhr.addEventListener('load', () => {
      const res = xhr.response || {};
      if (xhr.status === 201) {
        row.textContent = `${res.name}: added (${Math.max(1, Math.round(res.size / 1024))} KB).`;
        row.className = 'attach-line ok';
        const label = res.name.replace(/\.[a-z0-9]+$/i, '').replace(/[-_]+/g, ' ');
        insertAtCursor(res.type.startsWith('image/') ? `![${label}](<${res.url}>)` : `[${res.name}](<${res.url}>)`);
        return;
      }
      row.className = 'attach-line error';
      const why = (res.errors && res.errors.map((e) => e.message).join(' ')) || res.message || `The server answered ${xhr.status}.`;
      row.textContent = `${file.name || 'pasted image'}: not added. ${why}`;
      if (res.findings && file.type.startsWith('image/')) showFindings(row, file, res.findings);
    });
    xhr.addEventListener('error', () => {
      row.className = 'attach-line error';
      row.textContent = `${file.name || 'pasted image'}: not added; the connection failed. Your text is untouched; try again.`;
    });
    xhr.send(data);
  }

  // Outlines, on the person's own copy of the image, each place the guard found patient information.
  // (Drawn from the file itself, so no blob: address is needed past the page's content policy.)
  async function showFindings(row, file, findings) {
    let bitmap;
    try {
      bitmap = await createImageBitmap(file);
    } catch (e) {
      return;
    }
    const canvas = document.createElement('canvas');
    canvas.width = bitmap.width;
    canvas.height = bitmap.height;
    canvas.className = 'attach-findings';
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', `Where patient information was found: ${findings.map((f) => f.kind).join(', ')}`);
    const g = canvas.getContext('2d');
    g.drawImage(bitmap, 0, 0);
    g.strokeStyle = '#d0021b';
    g.lineWidth = Math.max(3, bitmap.width / 400);
    for (const f of findings) if (f.box) g.strokeRect(f.box.x - 6, f.box.y - 6, f.box.width + 12, f.box.height + 12);
    row.after(canvas);
  }

  input.addEventListener('paste', (e) => {
    const files = [...(e.clipboardData ? e.clipboardData.files : [])];
    if (files.length === 0) return;
    e.preventDefault();
    for (const f of files) send(f);
  });
  input.addEventListener('dragover', (e) => {
    if (e.dataTransfer && [...e.dataTransfer.types].includes('Files')) {
      e.preventDefault();
      input.classList.add('dropping');
    }
  });
  input.addEventListener('dragleave', () => input.classList.remove('dropping'));
  input.addEventListener('drop', (e) => {
    input.classList.remove('dropping');
    const files = [...(e.dataTransfer ? e.dataTransfer.files : [])];
    if (files.length === 0) return;
    e.preventDefault();
    for (const f of files) send(f);
  });
})();
