// Minimal ANSI SGR renderer: colours and bold into spans; every other escape sequence is dropped.
"use strict";
const Ansi = (() => {
  const names = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"];
  const pattern = /\x1b\[([0-9;]*)([A-Za-z])/g;
  function apply(state, codes) {
    const list = codes === "" ? [0] : codes.split(";").map(Number);
    for (const c of list) {
      if (c === 0) { state.fg = null; state.bg = null; state.bold = false; }
      else if (c === 1) state.bold = true;
      else if (c === 22) state.bold = false;
      else if (c >= 30 && c <= 37) state.fg = names[c - 30];
      else if (c >= 90 && c <= 97) state.fg = "bright-" + names[c - 90];
      else if (c === 39) state.fg = null;
      else if (c >= 40 && c <= 47) state.bg = names[c - 40];
      else if (c === 49) state.bg = null;
    }
  }
  // Appends one line of text with escapes to `parent`; `state` carries colours across lines.
  function render(parent, text, state) {
    let last = 0;
    const emit = s => {
      if (!s) return;
      const span = document.createElement("span");
      span.textContent = s;
      const cls = [];
      if (state.fg) cls.push("fg-" + state.fg);
      if (state.bg) cls.push("bg-" + state.bg);
      if (state.bold) cls.push("bold");
      if (cls.length) span.className = cls.join(" ");
      parent.appendChild(span);
    };
    for (const m of text.matchAll(pattern)) {
      emit(text.slice(last, m.index));
      if (m[2] === "m") apply(state, m[1]);
      last = m.index + m[0].length;
    }
    emit(text.slice(last).replace(/\x1b/g, ""));
  }
  return { render, newState: () => ({ fg: null, bg: null, bold: false }) };
})();
