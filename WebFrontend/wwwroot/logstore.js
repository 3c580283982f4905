// The log of the live log page, kept compact for logs of a million lines and more: its UTF-8 bytes in segments
// (chunks of the HTTP stream kept as they came, small pieces gathered into 1 MiB segments), and a line index in
// typed-array pages of 65,536 lines: where each line starts, its colour state at the start, its visible length and
// the rows it takes (16 bytes a line). Rows are summed per block of 1,024 lines, so a line's vertical position and
// the line at a position cost a binary search over the blocks and a walk inside one.
"use strict";
const LogStore = (() => {
  const SEGMENT_BYTES = 1 << 20;
  const KEEP_CHUNK = 256 * 1024;  // a received chunk this big becomes a segment as it is (no copy)
  const MAX_LINE_CHARS = 100_000; // longer lines are shown cut, saying so (Download has them whole)
  const PAGE_SHIFT = 16, PAGE = 1 << PAGE_SHIFT, PAGE_MASK = PAGE - 1;
  const BLOCK_SHIFT = 10;

  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  const segments = [];            // { bytes, start: log offset of bytes[0], used, open: more may be added }
  let received = 0;               // bytes of the log so far: the resume offset

  const pages = [];               // { starts: Float64Array, states: Uint16Array, visible: Uint32Array, rows: Uint16Array }
  let lineCount = 0;              // lines started; the last is the open line (possibly empty)
  let blockRows = new Int32Array(64);
  let blockPrefix = new Float64Array(65);
  let prefixDirty = true;
  let totalRows = 0;
  let cols = 120;                 // characters per row of the text column

  // Colour state and the escape sequence being parsed (one may be split between two chunks).
  let ansi = 0;
  let escPhase = 0;               // 0 none, 1 after ESC, 2 inside ESC[ (parameters)
  let escParams = "";
  let lineEscBytes = 0;           // bytes of escape sequences in the open line

  function openLine(offset) {
    const p = lineCount >> PAGE_SHIFT;
    if (p === pages.length) {
      pages.push({ starts: new Float64Array(PAGE), states: new Uint16Array(PAGE), visible: new Uint32Array(PAGE), rows: new Uint16Array(PAGE) });
      if (blockRows.length < (pages.length << (PAGE_SHIFT - BLOCK_SHIFT))) {
        const b = new Int32Array(blockRows.length * 2 + (PAGE >> BLOCK_SHIFT));
        b.set(blockRows);
        blockRows = b;
        blockPrefix = new Float64Array(b.length + 1);
      }
    }
    const page = pages[p], i = lineCount & PAGE_MASK;
    page.starts[i] = offset;
    page.states[i] = ansi;
    lineCount++;
    lineEscBytes = 0;
  }
  openLine(0);

  const startOf = k => pages[k >> PAGE_SHIFT].starts[k & PAGE_MASK];
  const rowsOf = k => pages[k >> PAGE_SHIFT].rows[k & PAGE_MASK];
  const stateOf = k => pages[k >> PAGE_SHIFT].states[k & PAGE_MASK];
  const completeLines = () => lineCount - 1;
  // The open line is shown once it has bytes.
  const shownLines = () => received > startOf(lineCount - 1) ? lineCount : lineCount - 1;
  const lineEnd = k => k + 1 < lineCount ? startOf(k + 1) : received;

  // ---- Appending ----

  // Text from the websocket (whole characters): encoded into the open segment.
  function appendText(text) {
    let rest = text;
    while (rest.length > 0) {
      const seg = segmentWithRoom();
      const { read, written } = encoder.encodeInto(rest, seg.bytes.subarray(seg.used));
      stored(seg, written);
      // Not all of it fitted: the segment has fewer than 4 bytes left, so the rest goes to a new one.
      rest = read === rest.length ? "" : rest.slice(read);
    }
    updateOpenLine();
  }

  // Bytes from the HTTP stream, as they are (a chunk may end inside a character).
  function appendBytes(bytes) {
    if (bytes.length >= KEEP_CHUNK) {
      closeOpenSegment();
      const seg = { bytes, start: received, used: 0, open: false };
      segments.push(seg);
      stored(seg, bytes.length);
    } else {
      let at = 0;
      while (at < bytes.length) {
        const seg = segmentWithRoom();
        const n = Math.min(bytes.length - at, seg.bytes.length - seg.used);
        seg.bytes.set(bytes.subarray(at, at + n), seg.used);
        stored(seg, n);
        at += n;
      }
    }
    updateOpenLine();
  }

  // A big chunk is kept as it came, after the open segment: that one is closed, cut to its size when it is mostly empty.
  function closeOpenSegment() {
    const seg = segments[segments.length - 1];
    if (!seg || !seg.open) return;
    seg.open = false;
    if (seg.used < seg.bytes.length / 2) seg.bytes = seg.bytes.slice(0, seg.used);
  }

  function segmentWithRoom() {
    let seg = segments[segments.length - 1];
    if (!seg || !seg.open || seg.used > seg.bytes.length - 4) {
      seg = { bytes: new Uint8Array(SEGMENT_BYTES), start: received, used: 0, open: true };
      segments.push(seg);
    }
    return seg;
  }

  function stored(seg, n) {
    const from = seg.used;
    seg.used += n;
    received += n;
    scan(seg.open ? seg.bytes.subarray(0, seg.used) : seg.bytes, from, seg.start);
  }

  // The websocket resumes at a byte offset and sends whole characters, so the offset must not fall inside one:
  // a character cut by a broken HTTP stream is dropped, to come again whole. Its bytes are neither newlines nor
  // escapes, so the index is unchanged.
  function dropCutCharacter() {
    const seg = segments[segments.length - 1];
    if (!seg) return;
    for (let back = 1; back <= Math.min(3, seg.used); back++) {
      const b = seg.bytes[seg.used - back];
      if ((b & 0xc0) === 0x80) continue; // a continuation byte: look further back for the lead byte
      const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
      if (need > back) {
        seg.used -= back;
        if (!seg.open) seg.bytes = seg.bytes.subarray(0, seg.used);
        received -= back;
        updateOpenLine();
      }
      return;
    }
  }

  // Indexes the newlines and escape sequences of bytes[from..]; `base` is the log offset of bytes[0].
  function scan(bytes, from, base) {
    const end = bytes.length;
    let i = from, nl = -1, esc = -1;
    while (i < end) {
      if (escPhase !== 0) { i = escapeStep(bytes, i); continue; }
      if (nl < i) { nl = bytes.indexOf(10, i); if (nl < 0) nl = end; }
      if (esc < i) { esc = bytes.indexOf(27, i); if (esc < 0) esc = end; }
      if (nl < esc) {
        closeLine(base + nl);
        openLine(base + nl + 1);
        i = nl + 1;
      } else if (esc < end) {
        escPhase = 1;
        lineEscBytes++;
        i = esc + 1;
      } else {
        i = end;
      }
    }
  }

  // One byte of an escape sequence, in the renderer's grammar (ESC [ digits and semicolons, a letter).
  function escapeStep(bytes, i) {
    const b = bytes[i];
    if (escPhase === 1) {
      if (b === 91) { escPhase = 2; escParams = ""; lineEscBytes++; return i + 1; }
      escPhase = 0; // a lone ESC (dropped when shown); this byte is ordinary
      return i;
    }
    if ((b >= 48 && b <= 57) || b === 59) {
      if (escParams.length > 64) { escPhase = 0; return i; }
      escParams += String.fromCharCode(b);
      lineEscBytes++;
      return i + 1;
    }
    if ((b >= 65 && b <= 90) || (b >= 97 && b <= 122)) {
      if (b === 109) ansi = Ansi.apply(ansi, escParams);
      lineEscBytes++;
      escPhase = 0;
      return i + 1;
    }
    escPhase = 0;
    return i;
  }

  function closeLine(newlineAt) {
    const k = lineCount - 1;
    const page = pages[k >> PAGE_SHIFT], i = k & PAGE_MASK;
    const v = Math.max(0, newlineAt - page.starts[i] - lineEscBytes);
    page.visible[i] = v;
    setRows(k, estimateRows(v));
  }

  function updateOpenLine() {
    const k = lineCount - 1;
    const page = pages[k >> PAGE_SHIFT], i = k & PAGE_MASK;
    const bytes = received - page.starts[i];
    page.visible[i] = Math.max(0, bytes - lineEscBytes);
    setRows(k, bytes > 0 ? estimateRows(page.visible[i]) : 0);
  }

  // ---- Reading ----

  // Line k (0-based) without its newline, as text.
  function lineText(k) {
    const s = startOf(k);
    const full = (k + 1 < lineCount ? startOf(k + 1) - 1 : received) - s;
    const cut = full > MAX_LINE_CHARS * 4;
    let text = decoder.decode(bytesBetween(s, s + (cut ? MAX_LINE_CHARS * 4 : full)));
    if (cut || text.length > MAX_LINE_CHARS) {
      text = text.slice(0, MAX_LINE_CHARS) + `\x1b[0m … (a line of ${full} bytes, cut here: Download has all of it)`;
    }
    return text;
  }

  function segmentAt(offset) {
    let lo = 0, hi = segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (segments[mid].start <= offset) lo = mid; else hi = mid - 1;
    }
    return segments[lo];
  }

  function bytesBetween(s, e) {
    if (e <= s) return new Uint8Array(0);
    const first = segmentAt(s);
    if (e <= first.start + first.used) return first.bytes.subarray(s - first.start, e - first.start);
    const out = new Uint8Array(e - s);
    let at = s;
    while (at < e) {
      const seg = segmentAt(at);
      const piece = seg.bytes.subarray(at - seg.start, Math.min(seg.used, e - seg.start));
      out.set(piece, at - s);
      at += piece.length;
    }
    return out;
  }

  // The log as received, for a Blob.
  const parts = () => segments.map(s => s.bytes.subarray(0, s.used));

  // ---- Rows ----

  function estimateRows(chars) {
    if (chars <= cols) return 1;
    return Math.min(65535, Math.ceil(Math.min(chars, MAX_LINE_CHARS + 60) / cols));
  }

  function setRows(k, r) {
    const page = pages[k >> PAGE_SHIFT], i = k & PAGE_MASK;
    const d = r - page.rows[i];
    if (d === 0) return;
    page.rows[i] = r;
    blockRows[k >> BLOCK_SHIFT] += d;
    totalRows += d;
    prefixDirty = true;
  }

  // A new text width: every estimate again (measured heights are stale too).
  function setColumns(n) {
    if (n === cols) return false;
    cols = n;
    blockRows.fill(0);
    totalRows = 0;
    const last = lineCount - 1;
    for (let k = 0; k < lineCount; k++) {
      const page = pages[k >> PAGE_SHIFT], i = k & PAGE_MASK;
      const r = k === last && received === page.starts[i] ? 0 : estimateRows(page.visible[i]);
      page.rows[i] = r;
      blockRows[k >> BLOCK_SHIFT] += r;
      totalRows += r;
    }
    prefixDirty = true;
    return true;
  }

  function ensurePrefix() {
    if (!prefixDirty) return;
    const blocks = (lineCount >> BLOCK_SHIFT) + 1;
    let sum = 0;
    for (let b = 0; b < blocks; b++) { blockPrefix[b] = sum; sum += blockRows[b]; }
    blockPrefix[blocks] = sum;
    prefixDirty = false;
  }

  // Rows above line k.
  function rowsBefore(k) {
    ensurePrefix();
    const b = k >> BLOCK_SHIFT;
    let sum = blockPrefix[b];
    const rows = pages[k >> PAGE_SHIFT].rows; // a block never straddles two pages
    for (let j = (b << BLOCK_SHIFT) & PAGE_MASK, end = k & PAGE_MASK; j < end; j++) sum += rows[j];
    return sum;
  }

  // The line covering row r (counted from the top), clamped to the shown lines.
  function lineAtRow(r) {
    const shown = shownLines();
    if (shown === 0) return 0;
    ensurePrefix();
    let lo = 0, hi = lineCount >> BLOCK_SHIFT;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (blockPrefix[mid] <= r) lo = mid; else hi = mid - 1;
    }
    let sum = blockPrefix[lo];
    let k = lo << BLOCK_SHIFT;
    while (k < shown - 1 && sum + rowsOf(k) <= r) { sum += rowsOf(k); k++; }
    return Math.min(k, shown - 1);
  }

  return {
    appendText, appendBytes, dropCutCharacter, lineText, lineEnd, stateOf, rowsOf, setRows, setColumns, rowsBefore, lineAtRow, parts,
    completeLines, shownLines,
    get received() { return received; },
    get totalRows() { return totalRows; },
    get columns() { return cols; },
  };
})();
