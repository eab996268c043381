// The reviewer's pages: a field's box shown on the page image while the field is pointed at or focused; values
// checked as typed; corrections saved through POST /api/documents/{id}/corrections (the page then shows the new
// version); a register page's entries keyed in a grid from the keyboard. Without this script the forms post to the
// page itself, and the server stores the same correction.
"use strict";
(() => {
  const DATE_DMY = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/;
  const DATE_ISO = /^(\d{4})-(\d{2})-(\d{2})$/;
  const COMPLETE = {date: 8, id: 12};  // checked while typing once this long; else when the cell is left
  const REFUSALS = [  // the server's words (ocr/corrections.py) → the kind of value the target needs
    [/^([\w.]+): .* is not a date\b/, "date"], [/^([\w.]+): .* is not 12 digits/, "id"],
    [/^([\w.]+): .* is neither Nam nor Nữ/, "gender"], [/^([\w.]+): .* is not a phone number/, "phone"],
    [/^([\w.]+): .* is not an area in square metres/, "area"],
  ];
  let uid = 0;

  const fill = (message, values) => message.replace(/%\((\w+)\)s/g, (_, key) => String(values[key] ?? ""));

  function realDate(year, month, day) {
    const date = new Date(Date.UTC(year, month - 1, day));
    return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  }

  // what is wrong with a value of this kind ("" when nothing, or when it is empty: an empty value removes it)
  function problem(kind, value) {
    const text = value.trim();
    if (!text) return "";
    switch (kind) {
      case "date": {
        const dmy = DATE_DMY.exec(text);
        if (dmy) return realDate(+dmy[3], +dmy[2], +dmy[1]) ? "" : "date";
        const iso = DATE_ISO.exec(text);
        return iso && realDate(+iso[1], +iso[2], +iso[3]) ? "" : "date";
      }
      case "id": return /^\d{12}$/.test(text.replace(/[\s.-]/g, "")) ? "" : "id";
      case "gender": return /^(nam|nữ|nu)$/i.test(text.normalize("NFC")) ? "" : "gender";
      case "phone": return /^[\d\s.-]+$/.test(text) && /\d/.test(text) ? "" : "phone";
      case "area": return /^\d[\d.,\s]*(m2|m²)?$/i.test(text) ? "" : "area";
      default: return "";
    }
  }

  function errorElement(input) {
    const holder = input.closest(".review-field, td");
    let element = holder.querySelector(".error-text, .cell-error");
    if (!element) {
      element = document.createElement("span");
      element.className = "cell-error";
      holder.append(element);
    }
    if (!element.id) element.id = `error-${++uid}`;
    return element;
  }

  function mark(input, message) {
    const element = errorElement(input);
    const described = (input.getAttribute("aria-describedby") || "").split(" ").filter((id) => id && id !== element.id);
    if (message) {
      element.textContent = message;
      element.hidden = false;
      input.setAttribute("aria-invalid", "true");
      described.push(element.id);
    } else {
      element.textContent = "";
      element.hidden = true;
      input.removeAttribute("aria-invalid");
    }
    if (described.length) input.setAttribute("aria-describedby", described.join(" "));
    else input.removeAttribute("aria-describedby");
  }

  // checks one input; `finished`: the person has left it (else only a value long enough to be whole is judged)
  function check(input, messages, finished) {
    const kind = input.dataset.kind;
    const text = input.value.trim();
    const wrong = problem(kind, text);
    if (wrong && (finished || text.length >= (COMPLETE[kind] || 1))) mark(input, messages[wrong]);
    else if (!wrong) mark(input, "");
    return !wrong;
  }

  function watch(inputs, messages) {
    for (const input of inputs) {
      input.addEventListener("input", () => {
        input.closest("td.in-doubt")?.classList.replace("in-doubt", "edited");  // a cell in doubt, retyped
        check(input, messages, input.getAttribute("aria-invalid") === "true");
      });
      input.addEventListener("change", () => check(input, messages, true));
    }
  }

  function say(status, message, bad = false) {
    status.textContent = message;
    status.classList.toggle("error-text", bad);
  }

  // the server's refusal: on its field when it names one, and in words in the status line
  function refused(error, messages, status, locate) {
    if (error instanceof TypeError) return say(status, messages.offline, true);
    const detail = error.message || "";
    for (const [pattern, kind] of REFUSALS) {
      const found = pattern.exec(detail);
      const input = found && locate(found[1]);
      if (input) {
        mark(input, messages[kind]);
        input.focus();
        return say(status, `${messages.refused} ${messages[kind]}`, true);
      }
    }
    if (/change nothing/.test(detail)) return say(status, messages.nothing, true);
    if (/was stored first/.test(detail)) return say(status, messages.conflict, true);
    if (/nothing to confirm/.test(detail)) return say(status, messages.stale, true);
    say(status, `${messages.refused} ${detail}`, true);
  }

  async function save(form, body, messages, locate) {
    const status = form.querySelector(".save-status");
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    say(status, messages.saving);
    try {
      const stored = await window.sohoa.api(`/api/documents/${encodeURIComponent(form.dataset.doc)}/corrections`, {
        method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
      const shown = new URL(form.dataset.savedUrl, window.location.href);
      shown.searchParams.set("saved", stored.version);
      window.location.assign(shown.href);
    } catch (error) {
      button.disabled = false;
      refused(error, messages, status, locate);
    }
  }

  const confirmed = (form) => [...form.querySelectorAll("input[name=confirm]:checked:not(:disabled)")].map((c) => c.value);
  const note = (form) => form.elements.note.value.trim() || null;

  // ---- a document's fields --------------------------------------------------------------------------------------

  function showBox(input, shown) {
    const box = input.dataset.box && document.getElementById(input.dataset.box);
    if (!box) return;
    box.classList.toggle("active", shown);
    input.closest(".review-field").classList.toggle("active", shown);
    if (shown) box.scrollIntoView({block: "nearest", inline: "nearest"});
  }

  // a value changed is not the one in doubt any more: its confirmation goes, and the new value is checked when saved
  function edited(input, form) {
    const holder = input.closest(".review-field");
    const box = holder.querySelector("input[name=confirm]");
    const changed = input.value.trim() !== input.dataset.original;
    holder.classList.toggle("edited", changed);
    if (!box) return;
    if (changed) box.checked = false;
    box.disabled = changed;
    let hint = holder.querySelector(".edited-hint");
    if (changed && !hint) {
      hint = document.createElement("p");
      hint.className = "hint edited-hint";
      hint.textContent = form.dataset.edited;
      box.closest("label").after(hint);
    } else if (!changed && hint) hint.remove();
  }

  function reviewForm(form) {
    const messages = JSON.parse(form.dataset.messages);
    const inputs = [...form.querySelectorAll("input[data-kind]")];
    watch(inputs, messages);
    for (const input of inputs) {
      const holder = input.closest(".review-field");
      holder.addEventListener("mouseenter", () => showBox(input, true));
      holder.addEventListener("mouseleave", () => showBox(input, document.activeElement === input));
      input.addEventListener("focus", () => showBox(input, true));
      input.addEventListener("blur", () => showBox(input, false));
      input.addEventListener("input", () => edited(input, form));
      edited(input, form);
    }
    for (const box of document.querySelectorAll(".field-box")) {
      box.addEventListener("click", () => document.getElementById(`f-${box.dataset.field}`)?.focus());
    }
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const status = form.querySelector(".save-status");
      const bad = inputs.filter((input) => !check(input, messages, true));
      if (bad.length) {
        say(status, messages.invalid, true);
        bad[0].focus();
        return;
      }
      const values = {};
      for (const input of inputs) {
        if (input.value.trim() !== input.dataset.original) values[input.dataset.field] = input.value.trim();
      }
      const type = form.elements.doc_type;
      if (type && type.value !== type.dataset.original) values.doc_type = type.value;  // last: after the old type's fields
      const confirm = confirmed(form).filter((target) => !(target in values));
      if (!Object.keys(values).length && !confirm.length) {
        say(status, messages.nothing, true);
        return;
      }
      save(form, {set: values, confirm, note: note(form)}, messages,
        (target) => form.querySelector(`#f-${CSS.escape(target)}`));
    });
  }

  // ---- a register page's entries ---------------------------------------------------------------------------------

  function gridForm(form) {
    const messages = JSON.parse(form.dataset.messages);
    const columns = JSON.parse(form.dataset.columns);  // [name, label, kind]
    const pages = JSON.parse(form.dataset.pages);
    const body = form.querySelector(".entry-grid tbody");
    const tools = form.querySelector(".grid-tools");
    const announce = tools.querySelector(".current-row");
    let current = null;

    const rows = () => [...body.rows];
    const cells = () => [...body.querySelectorAll("input[data-kind]")];
    const label = (n, field) => fill(messages.cell, {n, field});

    function renumber() {
      rows().forEach((row, index) => {
        const n = index + 1;
        row.querySelector("th.row-number").firstChild.textContent = String(n);
        const page = row.querySelector("[data-page]");
        page.name = `r${n}.page`;
        if (page.tagName === "SELECT") page.setAttribute("aria-label", label(n, form.dataset.pageLabel));
        for (const input of row.querySelectorAll("input[data-field]")) {
          const column = columns.find(([name]) => name === input.dataset.field);
          input.name = `r${n}.${input.dataset.field}`;
          input.setAttribute("aria-label", label(n, column[1]));
        }
        for (const button of row.querySelectorAll("button[data-row]")) {
          button.setAttribute("aria-label", fill(messages[button.dataset.row], {n}));
        }
      });
      if (current) announce.textContent = fill(messages.current, {n: rows().indexOf(current) + 1});
    }

    function setCurrent(row) {
      if (current === row) return;
      current?.classList.remove("current");
      current = row;
      current.classList.add("current");
      announce.textContent = fill(messages.current, {n: rows().indexOf(row) + 1});
    }

    function newRow() {
      const row = body.rows[0].cloneNode(true);
      row.removeAttribute("data-spare");
      row.classList.remove("current");
      for (const cell of row.querySelectorAll("td")) cell.classList.remove("in-doubt", "edited");
      for (const input of row.querySelectorAll("input[data-field]")) {
        input.value = "";
        input.removeAttribute("aria-invalid");
        input.removeAttribute("aria-describedby");
      }
      for (const error of row.querySelectorAll(".cell-error")) error.remove();
      const page = row.querySelector("[data-page]");
      const last = body.rows[body.rows.length - 1]?.querySelector("[data-page]");
      page.value = last ? last.value : String(pages[0] || 1);  // a new entry is on the page of the one above
      watch(row.querySelectorAll("input[data-kind]"), messages);
      return row;
    }

    function addRow(after = body.rows[body.rows.length - 1]) {
      const row = newRow();
      after.after(row);
      renumber();
      announce.textContent = messages.added;
      return row;
    }

    function focusIn(row, field) {
      const target = row.querySelector(field ? `[data-field="${field}"], [data-page][name$=".${field}"]` : "input[data-field]");
      (target || row.querySelector("input[data-field]")).focus();
    }

    function moveRow(row, step, field) {
      const other = step < 0 ? row.previousElementSibling : row.nextElementSibling;
      if (!other) return;
      if (step < 0) other.before(row);
      else other.after(row);
      renumber();
      focusIn(row, field);
      announce.textContent = fill(messages.moved, {n: rows().indexOf(row) + 1});
    }

    function deleteRow(row, field) {
      const place = rows().indexOf(row);
      if (body.rows.length === 1) addRow(row);
      row.remove();
      if (current === row) current = null;
      renumber();
      focusIn(body.rows[Math.min(place, body.rows.length - 1)], field);
      announce.textContent = messages.deleted;
    }

    // the spare empty rows are for a page without this script; one empty row stays when there is no entry
    const spare = [...body.querySelectorAll("tr[data-spare]")];
    const keepOne = spare.length === body.rows.length;
    spare.forEach((row, index) => (keepOne && index === 0 ? row.removeAttribute("data-spare") : row.remove()));
    for (const button of form.querySelectorAll("button[data-row]")) button.hidden = false;
    tools.hidden = false;
    watch(cells(), messages);
    renumber();

    body.addEventListener("focusin", (event) => setCurrent(event.target.closest("tr")));
    body.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-row]");
      if (!button) return;
      const row = button.closest("tr");
      if (button.dataset.row === "delete") deleteRow(row);
      else moveRow(row, button.dataset.row === "up" ? -1 : 1);
    });
    tools.addEventListener("click", (event) => {
      const tool = event.target.closest("button[data-tool]")?.dataset.tool;
      const row = current && current.isConnected ? current : body.rows[body.rows.length - 1];
      if (tool === "add") focusIn(addRow(row));
      else if (tool === "delete") deleteRow(row);
      else if (tool) moveRow(row, tool === "up" ? -1 : 1);
    });
    body.addEventListener("keydown", (event) => {
      const input = event.target.closest("input[data-field], select[data-page]");
      if (!input) return;
      const row = input.closest("tr");
      const field = input.dataset.field || "page";
      if (event.key === "Enter" && !event.ctrlKey && !event.metaKey && !event.altKey && !event.shiftKey) {
        event.preventDefault();
        if (input.dataset.kind) check(input, messages, true);
        focusIn(row.nextElementSibling || addRow(row), field);
      } else if (event.altKey && (event.key === "ArrowUp" || event.key === "ArrowDown")) {
        event.preventDefault();
        moveRow(row, event.key === "ArrowUp" ? -1 : 1, field);
      } else if (event.ctrlKey && event.key === "Delete") {
        event.preventDefault();
        deleteRow(row, field);
      }
    });
    form.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        form.requestSubmit();
      }
    });

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const status = form.querySelector(".save-status");
      const bad = cells().filter((input) => !check(input, messages, true));
      if (bad.length) {
        say(status, messages.invalid, true);
        bad[0].focus();
        return;
      }
      const entries = [];
      const kept = [];  // the row of each entry: the server numbers entries from 1
      for (const row of rows()) {
        const entry = {};
        for (const input of row.querySelectorAll("input[data-field]")) {
          if (input.value.trim()) entry[input.dataset.field] = input.value.trim();
        }
        if (!Object.keys(entry).length) continue;
        entry.page = Number(row.querySelector("[data-page]").value);
        entries.push(entry);
        kept.push(row);
      }
      save(form, {records: entries, confirm: confirmed(form), note: note(form)}, messages, (target) => {
        const found = /^records\.(\d+)\.(\w+)$/.exec(target);
        return found && kept[found[1] - 1]?.querySelector(`[data-field="${found[2]}"]`);
      });
    });
  }

  for (const form of document.querySelectorAll("form.review-form")) reviewForm(form);
  for (const form of document.querySelectorAll("form.grid-form")) gridForm(form);
})();
