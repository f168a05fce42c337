/* A small emoji picker for a text box: a button that opens a grid of common emoji; choosing one
 * inserts it where the cursor is (replacing a selection) and puts the focus back in the text box.
 *
 * Keyboard: the button opens the grid with the focus on its first emoji; arrow keys move (Home and
 * End to the row's ends), Enter or Space inserts, Escape or Tab closes and returns to the button.
 * The grid is an ARIA grid of buttons, one tab stop (roving tabindex). The button itself is an SVG
 * face, so it shows on machines without an emoji font (the emoji are the system's own).
 */
import { icon } from "./dom.js";

const face = () =>
  icon("tool-icon", "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm0 18a8 8 0 1 1 0-16 8 8 0 0 1 0 16zm3.5-9a1.5 1.5 0 1 0 0-3 1.5 1.5 0 0 0 0 3zm-7 0a1.5 1.5 0 1 0 0-3 1.5 1.5 0 0 0 0 3zm3.5 6.5c2.33 0 4.31-1.46 5.11-3.5H6.89c.8 2.04 2.78 3.5 5.11 3.5z");

export const EMOJI = [
  "😀", "😂", "😊", "😍", "😉", "😎",
  "🤔", "😅", "😢", "😮", "🙏", "👍",
  "👎", "👏", "🙌", "👋", "💪", "🎉",
  "❤️", "🔥", "✨", "✅", "❌", "⭐",
  "📅", "📎", "💡", "☕", "🚀", "👀",
];
const COLUMNS = 6;

/** Inserts text at the cursor of a textarea or input, as if typed (an input event follows). */
export function insertAtCursor(input, text) {
  const start = input.selectionStart ?? input.value.length;
  const end = input.selectionEnd ?? start;
  input.setRangeText(text, start, end, "end");
  input.dispatchEvent(new Event("input", { bubbles: true }));
}

/**
 * emojiPicker({input, label, gridLabel}) → {button, panel, close()}: place both; the panel is
 * positioned by the page's CSS (class "emoji-panel"). label: the button's name; gridLabel: the grid's.
 */
export function emojiPicker({ input, label, gridLabel, buttonClass = "emoji-button" }) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = buttonClass;
  button.dataset.testid = "emoji-button";
  button.setAttribute("aria-label", label);
  button.setAttribute("aria-haspopup", "grid");
  button.setAttribute("aria-expanded", "false");
  button.append(face());

  const panel = document.createElement("div");
  panel.className = "emoji-panel";
  panel.dataset.testid = "emoji-panel";
  panel.setAttribute("role", "grid");
  panel.setAttribute("aria-label", gridLabel);
  panel.hidden = true;
  const cells = [];
  for (let row = 0; row * COLUMNS < EMOJI.length; row += 1) {
    const line = document.createElement("div");
    line.setAttribute("role", "row");
    for (const emoji of EMOJI.slice(row * COLUMNS, (row + 1) * COLUMNS)) {
      const cell = document.createElement("button");
      cell.type = "button";
      cell.className = "emoji";
      cell.dataset.testid = "emoji";
      cell.setAttribute("role", "gridcell");
      cell.tabIndex = -1;
      cell.textContent = emoji;
      cell.addEventListener("click", () => choose(emoji));
      cells.push(cell);
      line.append(cell);
    }
    panel.append(line);
  }

  let cursor = { start: null, end: null }; // where the text box's cursor was when the grid opened

  function focusCell(index) {
    const i = Math.max(0, Math.min(cells.length - 1, index));
    cells.forEach((cell, n) => (cell.tabIndex = n === i ? 0 : -1));
    cells[i].focus();
  }

  function open() {
    cursor = { start: input.selectionStart, end: input.selectionEnd };
    panel.hidden = false;
    button.setAttribute("aria-expanded", "true");
    focusCell(0);
  }

  function close(refocus = true) {
    if (panel.hidden) return;
    panel.hidden = true;
    button.setAttribute("aria-expanded", "false");
    if (refocus) button.focus();
  }

  function choose(emoji) {
    if (cursor.start !== null) input.setSelectionRange(cursor.start, cursor.end);
    close(false);
    input.focus();
    insertAtCursor(input, emoji);
  }

  button.addEventListener("click", () => (panel.hidden ? open() : close()));
  panel.addEventListener("keydown", (event) => {
    const index = cells.indexOf(event.target);
    if (index < 0) return;
    const rowStart = index - (index % COLUMNS);
    const moves = {
      ArrowRight: index + 1,
      ArrowLeft: index - 1,
      ArrowDown: index + COLUMNS,
      ArrowUp: index - COLUMNS,
      Home: rowStart,
      End: rowStart + COLUMNS - 1,
    };
    if (event.key in moves) {
      event.preventDefault();
      focusCell(moves[event.key]);
    } else if (event.key === "Escape" || event.key === "Tab") {
      event.preventDefault();
      event.stopPropagation(); // Escape closes the grid, not the chat around it
      close();
    }
  });
  // A click anywhere else closes it (composedPath: the widget lives in a Shadow DOM).
  document.addEventListener("click", (event) => {
    const path = event.composedPath();
    if (!path.includes(panel) && !path.includes(button)) close(false);
  });
  return { button, panel, close };
}
