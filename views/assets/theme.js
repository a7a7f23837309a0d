// Loaded in <head>, before anything is painted: applies the theme the person chose on this browser.
// Without a choice nothing is set, and Pico follows the system's prefers-color-scheme.
(() => {
  try {
    const chosen = localStorage.getItem('whywiki-theme');
    if (chosen === 'light' || chosen === 'dark') document.documentElement.dataset.theme = chosen;
  } catch {
    // Storage can be switched off; the system setting still applies.
  }
})();
