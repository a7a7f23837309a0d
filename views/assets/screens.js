// The small behaviours every screen shares: the phone menu, the theme switch and the print action.
// Each control is hidden in the markup and shown here, so without JavaScript nothing dead is offered
// (the menu's links then simply stay visible).
(() => {
  const root = document.documentElement;

  const toggle = document.querySelector('.menu-toggle');
  const menu = document.getElementById('site-menu');
  if (toggle && menu) {
    toggle.hidden = false;
    root.classList.add('menu-ready');
    const set = (open) => {
      toggle.setAttribute('aria-expanded', String(open));
      menu.classList.toggle('open', open);
    };
    toggle.addEventListener('click', () => set(toggle.getAttribute('aria-expanded') !== 'true'));
    document.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && menu.classList.contains('open')) { set(false); toggle.focus(); }
    });
  }

  const dark = () => root.dataset.theme ? root.dataset.theme === 'dark' : window.matchMedia('(prefers-color-scheme: dark)').matches;
  for (const button of document.querySelectorAll('.theme-switch')) {
    // One name, "Dark theme", pressed or not: a label that flips as well would say the opposite.
    const label = () => button.setAttribute('aria-pressed', String(dark()));
    button.hidden = false;
    label();
    button.addEventListener('click', () => {
      const next = dark() ? 'light' : 'dark';
      root.dataset.theme = next;
      try { localStorage.setItem('whywiki-theme', next); } catch { /* not stored: applies to this page only */ }
      label();
    });
  }

  // A table or chart wider than its column scrolls in place; keyboard users reach it with Tab to scroll it.
  const scrollers = () => {
    for (const el of document.querySelectorAll('main table, main pre, .health-charts figure, .table-scroll')) {
      if (el.scrollWidth > el.clientWidth + 1) el.setAttribute('tabindex', '0');
      else el.removeAttribute('tabindex');
    }
  };
  scrollers();
  window.addEventListener('resize', scrollers);

  for (const button of document.querySelectorAll('.print-button')) {
    button.hidden = false;
    button.addEventListener('click', () => window.print());
  }
})();
