/* Keyboard use of the open widget: Escape closes it, Tab and Shift+Tab stay inside the panel (a
 * focus trap, as in any dialog), and closing gives focus back to the launcher. Works inside the
 * Shadow DOM, where the focused element is the shadow root's activeElement.
 */

const FOCUSABLE = 'button, [href], input, select, textarea, [tabindex]:not([tabindex="-1"])';

function focusables(panel) {
  return [...panel.querySelectorAll(FOCUSABLE)].filter((node) => !node.disabled && node.getClientRects().length > 0);
}

/** view: the widget's DOM; isOpen(): the panel is open; close(): closes it; page: nothing to trap. */
export function keyboard({ view, isOpen, close, page = false }) {
  view.shell.addEventListener("keydown", (event) => {
    if (!isOpen() || page) return;
    if (event.key === "Escape") {
      event.preventDefault();
      close();
      view.launcher.focus();
      return;
    }
    if (event.key !== "Tab") return;
    const nodes = focusables(view.panel);
    if (nodes.length === 0) return;
    const first = nodes[0];
    const last = nodes[nodes.length - 1];
    const active = view.root.activeElement;
    if (event.shiftKey && (active === first || !view.panel.contains(active))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && active === last) {
      event.preventDefault();
      first.focus();
    }
  });
}
