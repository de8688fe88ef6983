// jianghu workspace: the few things that need script. No inline script anywhere (the
// Content-Security-Policy forbids it); state-changing calls carry the CSRF token.
"use strict";
(function () {
  const csrf = document.querySelector('meta[name="csrf-token"]');
  const token = csrf ? csrf.content : "";

  async function post(url, body) {
    const res = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": token},
      body: JSON.stringify(body || {}),
    });
    let data = null;
    try { data = await res.json(); } catch (e) { data = null; }
    if (!res.ok) {
      const msg = data && data.error ? data.error.message : ("HTTP " + res.status);
      throw new Error(msg);
    }
    return data;
  }
  window.jianghu = {post: post};

  document.addEventListener("click", async function (ev) {
    const el = ev.target.closest("[data-action]");
    if (!el) return;
    ev.preventDefault();
    const action = el.dataset.action;
    const status = document.getElementById("action-status");
    try {
      if (action === "logout") {
        await fetch("/logout", {method: "POST", credentials: "same-origin",
                                headers: {"X-CSRF-Token": token}});
        window.location.assign("/login");
        return;
      }
      if (action === "post") {
        // data-url: the endpoint; data-confirm: a question to ask first; then reload.
        if (el.dataset.confirm && !window.confirm(el.dataset.confirm)) return;
        const body = el.dataset.body ? JSON.parse(el.dataset.body) : {};
        const noteField = el.dataset.noteField ? document.getElementById(el.dataset.noteField) : null;
        if (noteField) body.note = noteField.value;
        await post(el.dataset.url, body);
        window.location.reload();
        return;
      }
      if (action === "reveal") {
        const data = await post(el.dataset.url, {});
        const target = document.getElementById(el.dataset.target);
        if (target && data && typeof data.value === "string") target.textContent = data.value;
        return;
      }
      if (action === "copy") {
        await navigator.clipboard.writeText(el.dataset.value || "");
        if (status) status.textContent = "copied";
        return;
      }
      if (action === "open-link") {
        // A deliberate second step: confirm, then open without opener or referrer.
        const url = el.dataset.value || "";
        if (!/^https?:\/\//i.test(url)) return;
        if (!window.confirm("Open this link from a criminal's message?\n" + url)) return;
        window.open(url, "_blank", "noopener,noreferrer");
      }
    } catch (err) {
      if (status) status.textContent = String(err.message || err);
      else window.alert(String(err.message || err));
    }
  });
})();
