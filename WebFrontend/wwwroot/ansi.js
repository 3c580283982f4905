// Minimal ANSI SGR renderer: colours and bold into spans; every other escape sequence is dropped.
// The colour state is one small integer (foreground 5 bits, background 4 bits, bold 1 bit), so the log page can
// keep the state at the start of every line of a million-line log in 2 bytes a line.
"use strict";
const Ansi = (() => {
  const names = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"];
  const FG = 0x1f;           // 0 = default, 1..8 = colours, 9..16 = bright colours
  const BG = 0xf << 5;       // 0 = default, 1..8 = colours
  const BOLD = 1 << 9;
  const pattern = /\x1b\[([0-9;]*)([A-Za-z])/g;
  const classNames = new Array(1 << 10);

  const parsed = new Map(); // SGR parameters -> their codes: a log repeats a handful of them a million times

  function codesOf(params) {
    let codes = parsed.get(params);
    if (codes === undefined) {
      codes = params === "" ? [0] : params.split(";").map(Number); // "" is 0, a reset, as terminals read "1;;32"
      if (parsed.size < 4096) parsed.set(params, codes);
    }
    return codes;
  }

  // The state after the SGR parameters `params` ("1;32"; "" means reset) are applied to `state`.
  function apply(state, params) {
    for (const c of codesOf(params)) {
      if (c === 0) state = 0;
      else if (c === 1) state |= BOLD;
      else if (c === 22) state &= ~BOLD;
      else if (c >= 30 && c <= 37) state = (state & ~FG) | (c - 29);
      else if (c >= 90 && c <= 97) state = (state & ~FG) | (c - 81);
      else if (c === 39) state &= ~FG;
      else if (c >= 40 && c <= 47) state = (state & ~BG) | ((c - 39) << 5);
      else if (c === 49) state &= ~BG;
    }
    return state;
  }

  function className(state) {
    let name = classNames[state];
    if (name === undefined) {
      const cls = [];
      const fg = state & FG, bg = (state & BG) >> 5;
      if (fg) cls.push("fg-" + (fg > 8 ? "bright-" : "") + names[(fg - 1) % 8]);
      if (bg) cls.push("bg-" + names[bg - 1]);
      if (state & BOLD) cls.push("bold");
      name = classNames[state] = cls.join(" ");
    }
    return name;
  }

  // Appends one line of text with escapes to `parent`, starting in `state`; returns the state at its end.
  function render(parent, text, state) {
    let last = 0;
    const emit = s => {
      if (!s) return;
      const span = document.createElement("span");
      span.textContent = s.indexOf("\x1b") < 0 ? s : s.replace(/\x1b/g, "");
      if (state) span.className = className(state);
      parent.appendChild(span);
    };
    if (text.indexOf("\x1b") < 0) {
      emit(text);
      return state;
    }
    for (const m of text.matchAll(pattern)) {
      emit(text.slice(last, m.index));
      if (m[2] === "m") state = apply(state, m[1]);
      last = m.index + m[0].length;
    }
    emit(text.slice(last));
    return state;
  }

  return { apply, render };
})();
