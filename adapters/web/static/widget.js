/* Convene website widget.
 *
 *   <script src="https://convene.example.com/widget.js" data-service="sales" async></script>
 *   <script src="https://convene.example.com/widget.js" data-agent="alice" async></script>
 *
 * A classic script, so any website can embed it with one tag and no build step. It only finds out
 * where it came from and imports the widget's ES modules from there (widget-app.js and the shared
 * /static/lib/ modules, which the server sends with CORS headers). Everything the widget shows lives
 * in a Shadow DOM so the host page's CSS cannot reach in and ours cannot leak out.
 */
(() => {
  "use strict";

  const script =
    document.currentScript || document.querySelector('script[src*="widget.js"][data-service], script[src*="widget.js"][data-agent]');
  if (!script || script.dataset.conveneLoaded) return;
  script.dataset.conveneLoaded = "1";

  // The API lives wherever the script came from, whichever website embeds it.
  const origin = new URL("./", script.src).href.replace(/\/$/, "");
  import(`${origin}/static/widget-app.js`)
    .then((app) => app.start(script, origin))
    .catch((error) => console.warn("Convene: the chat widget could not load.", error));
})();
