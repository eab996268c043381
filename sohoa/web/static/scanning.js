// The scanning team's pages. Upload: files and whole folders by drag and drop or the two file fields, checked by
// name and size before sending, sent in one POST /api/batches with a progress bar per file. Batch: follows
// GET /api/batches/{id} every 2 s while the batch is queued or running. Without this script both pages still work.
"use strict";
(() => {
  const HIDDEN = /(^|\/)\./; // hidden files and folders are no scans (as `sohoa process` leaves them out)
  const lang = document.documentElement.lang || "vi";

  function sizeText(bytes) {
    const units = [["GB", 1024 ** 3], ["MB", 1024 ** 2], ["KB", 1024]];
    for (const [unit, size] of units) {
      if (bytes >= size) {
        return `${(bytes / size).toLocaleString(lang, {maximumFractionDigits: 1})} ${unit}`;
      }
    }
    return `${bytes.toLocaleString(lang)} B`;
  }

  function element(tag, attributes = {}, ...children) {
    const made = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) made.setAttribute(name, value);
    made.append(...children);
    return made;
  }

  // ---- upload ---------------------------------------------------------------------------------------------------

  function uploadPage(form) {
    const say = (key) => form.getAttribute(`data-msg-${key}`) || "";
    const extensions = form.dataset.extensions.split(",");
    const maxFile = Number(form.dataset.maxFile);
    const maxUpload = Number(form.dataset.maxUpload);
    const zone = document.getElementById("drop-zone");
    const filesInput = document.getElementById("f-files");
    const folderInput = document.getElementById("f-folder");
    const chosenBox = document.getElementById("chosen");
    const count = document.getElementById("chosen-count");
    const rows = document.querySelector("#chosen-table tbody");
    const alertBox = document.getElementById("upload-alert");
    const status = document.getElementById("upload-status");
    const send = document.getElementById("send");
    const kind = document.getElementById("f-kind");
    const book = document.getElementById("book-fields");
    const chosen = []; // {file, path, flag, row, bar}
    let sending = false;

    function flagOf(path, file) {
      const dot = path.lastIndexOf(".");
      if (dot < 0 || !extensions.includes(path.slice(dot).toLowerCase())) return say("unsupported");
      if (file.size > maxFile) return say("too-large");
      return "";
    }

    function add(found) {
      for (const {file, path} of found) {
        if (HIDDEN.test(path) || chosen.some((c) => c.path === path)) continue;
        const item = {file, path, flag: flagOf(path, file)};
        item.row = row(item);
        chosen.push(item);
        rows.append(item.row);
      }
      refresh();
    }

    function row(item) {
      const name = element("td", {}, element("span", {class: "file-name"}, item.path));
      const progress = element("td");
      if (item.flag) {
        name.append(element("span", {class: "note"}, item.flag));
      } else {
        item.bar = element("progress", {max: String(item.file.size || 1), value: "0", "aria-label": item.path});
        progress.append(item.bar);
      }
      const remove = element("button", {type: "button"}, say("remove"),
        element("span", {class: "visually-hidden"}, ` ${item.path}`));
      remove.addEventListener("click", () => {
        if (sending) return;
        chosen.splice(chosen.indexOf(item), 1);
        item.row.remove();
        refresh();
        (rows.querySelector("button") || filesInput).focus();
      });
      const tr = element("tr", item.flag ? {class: "flagged"} : {}, name,
        element("td", {class: "num"}, sizeText(item.file.size)), progress, element("td", {}, remove));
      return tr;
    }

    function sendable() {
      return chosen.filter((c) => !c.flag);
    }

    function refresh() {
      chosenBox.hidden = chosen.length === 0;
      const files = sendable();
      const bytes = files.reduce((sum, c) => sum + c.file.size, 0);
      count.textContent = say("count").replace("{n}", files.length.toLocaleString(lang)).replace("{size}", sizeText(bytes));
    }

    function showRefusal(message, detail) {
      alertBox.replaceChildren(element("p", {class: "alert-line"}, message));
      if (detail) {
        alertBox.append(element("p", {class: "alert-detail"}, `${say("details")} `, element("span", {lang: "en"}, detail)));
      }
      alertBox.hidden = false;
      alertBox.scrollIntoView({block: "nearest"});
    }

    function manifest() {
      const value = (name) => (form.elements[name] ? form.elements[name].value.trim() : "");
      const result = {};
      for (const key of ["kind", "agency", "agency_name", "dossier_code", "procedure_code", "operator"]) {
        if (value(key)) result[key] = value(key);
      }
      if (result.kind === "registry_book") {
        const entry = {};
        if (value("book_type")) entry.type = value("book_type");
        if (value("book_year")) entry.year = Number(value("book_year"));
        if (value("book_volume")) entry.volume = value("book_volume");
        if (Object.keys(entry).length) result.book = entry;
      }
      return result;
    }

    // Files go in order in the body, each after its part's headers: the bytes sent so far tell each file's share.
    function track(files, manifestBytes, loaded, total) {
      const content = files.reduce((sum, c) => sum + c.file.size, 0) + manifestBytes;
      const headers = Math.max(0, total - content) / (files.length + 1);
      let offset = headers + manifestBytes;
      for (const item of files) {
        const start = offset + headers;
        item.bar.value = Math.min(Math.max(loaded - start, 0), item.file.size);
        offset = start + item.file.size;
      }
    }

    function finish(files, xhr) {
      let answer = {};
      try { answer = JSON.parse(xhr.responseText || "{}"); } catch (error) { answer = {}; }
      if (xhr.status === 202 && answer.id) {
        files.forEach((item) => { item.bar.value = item.file.size; });
        status.textContent = say("accepted");
        window.location.assign(`/lo-quet/${encodeURIComponent(answer.id)}`);
        return;
      }
      const detail = typeof answer.detail === "string" ? answer.detail : (answer.detail ? JSON.stringify(answer.detail) : "");
      stop(files, say(`refused-${xhr.status}`) || say("refused"), detail);
    }

    function stop(files, message, detail) {
      sending = false;
      send.disabled = false;
      status.textContent = "";
      files.forEach((item) => { item.bar.value = 0; });
      showRefusal(message, detail);
    }

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (sending) return;
      const files = sendable();
      if (!files.length) { showRefusal(say("nothing"), ""); return; }
      if (files.reduce((sum, c) => sum + c.file.size, 0) > maxUpload) { showRefusal(say("upload-too-large"), ""); return; }
      const manifestText = JSON.stringify(manifest());
      const body = new FormData();
      body.append("manifest", manifestText);
      for (const item of files) body.append("files", item.file, item.path);
      const xhr = new XMLHttpRequest();
      xhr.open("POST", "/api/batches");
      xhr.setRequestHeader("X-CSRF-Token", window.sohoa.csrf());
      xhr.setRequestHeader("Accept", "application/json");
      const manifestBytes = new Blob([manifestText]).size;
      xhr.upload.addEventListener("progress", (progress) => {
        if (progress.lengthComputable) track(files, manifestBytes, progress.loaded, progress.total);
      });
      xhr.addEventListener("load", () => finish(files, xhr));
      xhr.addEventListener("error", () => stop(files, say("refused-0"), ""));
      sending = true;
      send.disabled = true;
      alertBox.hidden = true;
      status.textContent = say("sending");
      xhr.send(body);
    });

    // Folders dropped are walked; a DataTransfer's items can only be read while its drop event runs.
    async function dropped(transfer) {
      const items = [...transfer.items].filter((item) => item.kind === "file");
      const entries = items.map((item) => (item.webkitGetAsEntry ? item.webkitGetAsEntry() : null));
      const files = items.map((item) => item.getAsFile());
      const found = [];
      for (let i = 0; i < items.length; i += 1) {
        if (entries[i]) await walk(entries[i], found);
        else if (files[i]) found.push({file: files[i], path: files[i].name});
      }
      if (!items.length) {
        for (const file of transfer.files) found.push({file, path: file.name});
      }
      return found;
    }

    async function walk(entry, found) {
      if (entry.name.startsWith(".")) return;
      if (entry.isFile) {
        const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
        found.push({file, path: entry.fullPath.replace(/^\/+/, "")});
        return;
      }
      const reader = entry.createReader();
      const children = [];
      for (;;) { // readEntries gives a folder's entries a share at a time
        const share = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
        if (!share.length) break;
        children.push(...share);
      }
      children.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const child of children) await walk(child, found);
    }

    const fromInput = (input, pathOf) => {
      const found = [...input.files].map((file) => ({file, path: pathOf(file)}));
      found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      add(found);
      input.value = ""; // the list above holds them now; choosing again adds more
    };
    filesInput.addEventListener("change", () => fromInput(filesInput, (file) => file.name));
    folderInput.addEventListener("change", () => fromInput(folderInput, (file) => file.webkitRelativePath || file.name));

    for (const type of ["dragenter", "dragover"]) {
      zone.addEventListener(type, (event) => {
        event.preventDefault();
        event.dataTransfer.dropEffect = "copy";
        zone.classList.add("is-over");
      });
    }
    zone.addEventListener("dragleave", (event) => {
      if (!zone.contains(event.relatedTarget)) zone.classList.remove("is-over");
    });
    zone.addEventListener("drop", (event) => {
      event.preventDefault();
      zone.classList.remove("is-over");
      if (!sending) dropped(event.dataTransfer).then(add);
    });
    // a file dropped beside the zone must not replace the page (and the form filled in)
    for (const type of ["dragover", "drop"]) {
      document.addEventListener(type, (event) => {
        if (zone.contains(event.target)) return;
        event.preventDefault();
        if (event.dataTransfer) event.dataTransfer.dropEffect = "none";
      });
    }

    const showBook = () => { book.hidden = kind.value !== "registry_book"; };
    kind.addEventListener("change", showBook);
    showBook();
    document.getElementById("drop-hint").hidden = false;
    refresh();
  }

  // ---- a batch's progress -----------------------------------------------------------------------------------------

  function batchPage(box) {
    const id = box.dataset.batch;
    let current = box.dataset.status;
    if (current !== "queued" && current !== "running") return;
    const progress = document.getElementById("batch-progress");
    const live = document.getElementById("batch-live");
    const number = (value) => Number(value).toLocaleString(lang);

    function show(now) {
      if (now.pages) {
        progress.max = now.pages;
        progress.value = now.done;
      }
      document.getElementById("pages-done").textContent = number(now.done);
      document.getElementById("pages-total").textContent = number(now.pages);
      document.getElementById("documents").textContent = number(now.documents);
      if (now.status !== current) {
        current = now.status;
        const name = box.getAttribute(`data-status-${now.status}`) || now.status;
        document.getElementById("batch-status").replaceChildren(element("span", {class: `badge badge-${now.status}`}, name));
        live.textContent = name;
      }
    }

    async function tick() {
      try {
        const now = await window.sohoa.api(`/api/batches/${encodeURIComponent(id)}`);
        show(now);
        if (now.status === "done" || now.status === "failed") {
          window.location.reload(); // the lists of failures, skipped files and pages to scan again, as the server shows them
          return;
        }
      } catch (error) {
        live.textContent = box.dataset.msgFailed.replace("{reason}", error.message);
      }
      window.setTimeout(tick, 2000);
    }

    window.setTimeout(tick, 2000);
  }

  const form = document.getElementById("upload-form");
  if (form) uploadPage(form);
  const batch = document.getElementById("batch");
  if (batch) batchPage(batch);
})();
