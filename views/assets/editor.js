// Live preview for the page editor. The form works without it; this only adds the rendered view.
(function () {
  const input = document.querySelector('textarea[data-preview]');
  if (!input) return;
  const target = document.getElementById(input.dataset.preview);
  const csrf = input.form.querySelector('input[name="_csrf"]').value;
  // The page being edited, so its own screenshots show in the preview (a new page has none yet).
  const attach = document.querySelector('[data-attach][data-slug]');
  const slug = attach ? attach.dataset.slug : '';
  let timer = null;
  let inFlight = null;

  async function refresh() {
    if (inFlight) inFlight.abort();
    inFlight = new AbortController();
    try {
      const res = await fetch('/api/preview', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
        body: JSON.stringify(slug ? { body: input.value, slug } : { body: input.value }),
        signal: inFlight.signal,
        credentials: 'same-origin',
      });
      const data = await res.json();
      if (res.ok) target.innerHTML = data.html; // server-sanitized HTML
      else target.textContent = data.message || 'Preview unavailable.';
    } catch (e) {
      if (e.name !== 'AbortError') target.textContent = 'Preview unavailable.';
    }
  }

  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  });
  if (input.value.trim()) refresh();
})();
